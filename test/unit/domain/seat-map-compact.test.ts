import { expect } from "chai";
import { compactSeatMapJson, compactStatuses } from "../../../domain/seat-map-compact.ts";
import { buildSeatLayout, publicLayout } from "../../../domain/seat-layout.ts";

describe("compact seat map and public layout (domain)", () => {
  it("one character per status byte, in ordinal order", () => {
    expect(compactStatuses(Uint8Array.from([0, 1, 2, 0, 2]))).to.equal("ARBAB");
    expect(compactStatuses(new Uint8Array(0))).to.equal("");
    expect(() => compactStatuses(Uint8Array.from([0, 7]))).to.throw(/unknown status code 7/);
  });

  it("the compact JSON parses to eventId, version, statuses", () => {
    const json = compactSeatMapJson('ev_"1', 42, Uint8Array.from([1, 0]));
    expect(JSON.parse(json)).to.deep.equal({ eventId: 'ev_"1', version: 42, statuses: "RA" });
  });

  it("the layout's rows start at the ordinals the tickets are numbered by", () => {
    const layout = buildSeatLayout([
      {
        name: "Floor",
        priceCents: 100,
        rows: [
          { label: "1", seats: 3 },
          { label: "2", seats: 2 },
        ],
      },
      { name: "Balcony", priceCents: 50, rows: [{ label: "A", seats: 4 }] },
    ]);
    expect(publicLayout("ev_1", layout, { currency: "JPY", stage: null })).to.deep.equal({
      eventId: "ev_1",
      currency: "JPY",
      ticketCount: 9,
      sections: [
        {
          name: "Floor",
          priceCents: 100,
          rows: [
            { label: "1", seats: 3, firstOrdinal: 0 },
            { label: "2", seats: 2, firstOrdinal: 3 },
          ],
        },
        { name: "Balcony", priceCents: 50, rows: [{ label: "A", seats: 4, firstOrdinal: 5 }] },
      ],
    });
    const staged = publicLayout("ev_1", layout, { currency: "GBP", stage: { label: "Stage" } });
    expect(staged.stage).to.deep.equal({ label: "Stage", position: "front" });
  });
});
