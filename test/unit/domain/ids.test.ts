// Ticket ids read together (the booking service's check) and the event a request names (the Shard
// strategy's key): one derivation, strict, never throwing on junk.
import { expect } from "chai";
import {
  eventOfScopedId,
  eventScopedIdLengthMax,
  eventScopedIdPattern,
  newEventScopedId,
  readTicketIds,
  requestEventId,
  ticketId,
} from "../../../domain/ids.ts";
import { ticketsPerRequestMax } from "../../../domain/limits.ts";

describe("domain/ids: ticket ids and the event a request names", () => {
  describe("readTicketIds", () => {
    it("reads tickets of one event into the event id and their ordinals", () => {
      expect(readTicketIds(["evt_a.0", "evt_a.17", "evt_a.3"])).to.deep.equal({
        eventId: "evt_a",
        ordinals: [0, 17, 3],
      });
      // The ordinal is after the last dot: an event id may hold dots itself.
      expect(readTicketIds([ticketId("ev.2026.x", 5)])).to.deep.equal({
        eventId: "ev.2026.x",
        ordinals: [5],
      });
    });

    it("names every id that is not a ticket id", () => {
      const junk = ["evt_a", ".4", "evt_a.", "evt_a.01", "evt_a.-1", "evt_a.12345678", "ev t.1", "é.1"];
      expect(readTicketIds(["evt_a.1", ...junk])).to.deep.equal({ notTicketIds: junk });
      expect(readTicketIds([`${"e".repeat(101)}.1`])).to.deep.equal({
        notTicketIds: [`${"e".repeat(101)}.1`],
      });
    });

    it("refuses tickets of several events, and an empty list", () => {
      expect(readTicketIds(["evt_a.1", "evt_b.1"])).to.deep.equal({ mixedEvents: true });
      expect(readTicketIds([])).to.deep.equal({ mixedEvents: true });
    });
  });

  describe("requestEventId", () => {
    it("is the eventId a request names", () => {
      expect(requestEventId({ eventId: "evt_a", quantity: 2 })).to.equal("evt_a");
      expect(requestEventId({ eventId: "evt_a", command: { type: "release" } })).to.equal("evt_a");
    });

    it("is the event of a request's ticket ids", () => {
      expect(requestEventId({ ticketId: "evt_a.3" })).to.equal("evt_a");
      expect(requestEventId({ ticketIds: ["evt_a.3", "evt_a.4"], paymentDetails: {} })).to.equal("evt_a");
      const most = Array.from({ length: ticketsPerRequestMax }, (_, index) => `evt_a.${index}`);
      expect(requestEventId({ ticketIds: most })).to.equal("evt_a");
    });

    it("is null for junk, mixed events and too many ids, without throwing", () => {
      const junk: unknown[] = [
        undefined,
        null,
        "evt_a.1",
        42,
        [],
        {},
        { eventId: 7 },
        { eventId: "" },
        { eventId: "no spaces" },
        { eventId: { toString: () => "evt_a" } },
        { ticketId: 1 },
        { ticketId: null },
        { ticketId: "evt_a" },
        { ticketId: ["evt_a.1"] },
        { ticketIds: "evt_a.1" },
        { ticketIds: [] },
        { ticketIds: [null] },
        { ticketIds: ["evt_a.1", 2] },
        { ticketIds: ["evt_a.1", "evt_b.2"] },
        { ticketIds: ["evt_a.1", "junk"] },
        { ticketIds: Array.from({ length: ticketsPerRequestMax + 1 }, (_, index) => `evt_a.${index}`) },
        Object.create(null),
      ];
      for (const params of junk) expect(requestEventId(params), JSON.stringify(params)).to.equal(null);
    });
  });

  describe("booking and payment ids that carry their event", () => {
    it("makes ids that name their event, and reads it back", () => {
      for (const eventId of ["ev_7h3k9p1w2z", "ev.2026.x", "e".repeat(100)]) {
        const id = newEventScopedId("bk", eventId);
        expect(id).to.match(/^bk_[0-9a-z]{10}\./);
        expect(eventOfScopedId(id)).to.equal(eventId);
        expect(id.length).to.be.at.most(eventScopedIdLengthMax);
        expect(eventScopedIdPattern.test(id), id).to.equal(true);
      }
      expect(eventOfScopedId(newEventScopedId("pay", "ev_a"))).to.equal("ev_a");
    });

    it("reads no event from older ids or junk (their reads use the id index)", () => {
      for (const id of [
        "bk_ndg9j1s9pt",
        "pay_5wbzh3kj3s",
        "bk_x.",
        "bk_.ev_a",
        ".ev_a",
        "bk_x y.ev_a",
        "bk_x.é",
        "BK_x.ev_a",
      ])
        expect(eventOfScopedId(id), id).to.equal(null);
      expect(eventOfScopedId(`bk_x.${"e".repeat(101)}`)).to.equal(null);
    });
  });
});
