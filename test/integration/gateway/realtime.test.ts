// Real-time seat map on one node: Socket.IO subscribe/ack, frames with continuous versions,
// coalescing, gaps, resume, per-user pushes, SSE. Deltas are published on the broker the way the
// booking actor publishes them (`booking.seatsChanged`).
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import {
  applyFrames,
  assertContinuous,
  connectSeatClient,
  openSse,
  publishDelta,
  waitFor,
} from "../../support/realtime.ts";

describe("real-time seat map (one node)", function () {
  let system: TestSystem;
  let fixture: EventFixture;
  const clients: { close(): void }[] = [];
  const track = <T extends { close(): void }>(client: T): T => (clients.push(client), client);

  before(async function () {
    system = await startSystem({ env: { REALTIME_COALESCE_MS: "30", REALTIME_HEARTBEAT_MS: "150" } });
    fixture = await createEventFixture(system, { seats: 20 });
  });
  afterEach(() => clients.splice(0).forEach((client) => client.close()));
  after(async function () {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  /** A fresh event per test, so versions start at 0 and tests do not see each other's deltas. */
  async function freshEvent(seats = 20): Promise<EventFixture> {
    return createEventFixture(system, { seats });
  }

  it("acks subscribe with the current version, then sends deltas in order with no gap", async function () {
    const event = await freshEvent();
    const client = track(await connectSeatClient(system.baseUrl));
    const answer = await client.subscribe(event.eventId);
    expect(answer).to.deep.equal({ eventId: event.eventId, version: 0 });
    const [a, b, c] = event.ticketIds;
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 0,
      changes: [{ ticketId: a, status: "reserved" }],
    });
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 1,
      changes: [{ ticketId: b, status: "reserved" }],
    });
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 2,
      changes: [{ ticketId: a, status: "booked" }],
    });
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 3,
      toVersion: 5,
      changes: [
        { ticketId: b, status: "available" },
        { ticketId: c, status: "reserved" },
      ],
    });
    await client.until(() => client.frames().at(-1)?.toVersion === 5);
    const frames = client.frames();
    expect(assertContinuous(frames, 0)).to.equal(5);
    for (const frame of frames) {
      expect(Object.keys(frame)).to.deep.equal(["eventId", "fromVersion", "toVersion", "changes"]);
      expect(frame.eventId).to.equal(event.eventId);
    }
    expect(Object.fromEntries(applyFrames(frames))).to.deep.equal({
      [a]: "booked",
      [b]: "available",
      [c]: "reserved",
    });
    expect(client.received.some((item) => item.kind === "resync")).to.equal(false);
  });

  it("works over long-polling and with the client's default transports (polling, then upgrade)", async function () {
    const event = await freshEvent();
    const polling = track(await connectSeatClient(system.baseUrl, { transports: ["polling"] }));
    const upgrading = track(
      await connectSeatClient(system.baseUrl, { transports: ["polling", "websocket"] }),
    );
    for (const client of [polling, upgrading])
      expect(await client.subscribe(event.eventId)).to.deep.equal({ eventId: event.eventId, version: 0 });
    for (let version = 0; version < 8; version++) {
      publishDelta(system, {
        eventId: event.eventId,
        fromVersion: version,
        changes: [{ ticketId: event.ticketIds[version], status: "reserved" }],
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const client of [polling, upgrading]) {
      await client.until(() => client.frames().at(-1)?.toVersion === 8);
      expect(assertContinuous(client.frames(), 0)).to.equal(8);
      expect(applyFrames(client.frames()).size).to.equal(8);
    }
  });

  it("coalesces a burst into few frames with last status per ticket", async function () {
    const event = await freshEvent();
    const client = track(await connectSeatClient(system.baseUrl));
    await client.subscribe(event.eventId);
    const statuses = ["reserved", "available", "booked"] as const;
    for (let version = 0; version < 60; version++) {
      const ticketId = event.ticketIds[version % 5];
      publishDelta(system, {
        eventId: event.eventId,
        fromVersion: version,
        changes: [{ ticketId, status: statuses[version % 3] }],
      });
    }
    await client.until(() => client.frames().at(-1)?.toVersion === 60);
    const frames = client.frames();
    expect(assertContinuous(frames, 0)).to.equal(60);
    expect(frames.length).to.be.lessThan(60);
    const expected = new Map<string, string>();
    for (let version = 0; version < 60; version++)
      expected.set(event.ticketIds[version % 5], statuses[version % 3]);
    expect(applyFrames(frames)).to.deep.equal(expected);
    for (const frame of frames) {
      const ids = frame.changes.map((change) => change.ticketId);
      expect(new Set(ids).size, "one change per ticket in a frame").to.equal(ids.length);
    }
  });

  it("sends compact frames to clients that ask for them, with the same changes", async function () {
    const event = await freshEvent();
    const full = track(await connectSeatClient(system.baseUrl));
    const compact = track(await connectSeatClient(system.baseUrl));
    await full.subscribe(event.eventId);
    expect(await compact.subscribe(event.eventId, undefined, "compact")).to.deep.equal({
      eventId: event.eventId,
      version: 0,
    });
    const statuses = ["reserved", "available", "booked"] as const;
    for (let version = 0; version < 12; version++) {
      publishDelta(system, {
        eventId: event.eventId,
        fromVersion: version,
        changes: [
          { ticketId: event.ticketIds[version % 7], status: statuses[version % 3] },
          { ticketId: "not-a-ticket-of-this-event", status: "booked" },
        ],
      });
      if (version % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await full.until(() => full.frames().at(-1)?.toVersion === 12);
    await compact.until(() => compact.frames().at(-1)?.toVersion === 12);
    expect(compact.received.every((item) => item.kind === "seatsCompact")).to.equal(true);
    expect(assertContinuous(compact.frames(), 0)).to.equal(12);
    expect(applyFrames(compact.frames())).to.deep.equal(applyFrames(full.frames()));
    const first = compact.received[0];
    if (first.kind !== "seatsCompact") throw new Error("expected a compact frame");
    expect(Object.keys(first.compact)).to.deep.equal([
      "eventId",
      "fromVersion",
      "toVersion",
      "available",
      "reserved",
      "booked",
      "other",
    ]);
    expect(first.compact.other).to.deep.equal([{ ticketId: "not-a-ticket-of-this-event", status: "booked" }]);
    const bad: any = await compact.socket
      .timeout(5_000)
      .emitWithAck("subscribe", { eventId: event.eventId, format: "binary" } as any);
    expect(bad.error.details.field).to.equal("format");
  });

  it("ignores duplicates and tells clients to resync after a version gap", async function () {
    const event = await freshEvent();
    const client = track(await connectSeatClient(system.baseUrl));
    await client.subscribe(event.eventId);
    const [a, b] = event.ticketIds;
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 0,
      changes: [{ ticketId: a, status: "reserved" }],
    });
    await client.until(() => client.frames().at(-1)?.toVersion === 1);
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 0,
      changes: [{ ticketId: a, status: "available" }],
    });
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 4,
      changes: [{ ticketId: b, status: "booked" }],
    });
    await client.until(() => client.frames().at(-1)?.toVersion === 5);
    expect(client.received).to.deep.equal([
      {
        kind: "seats",
        frame: {
          eventId: event.eventId,
          fromVersion: 0,
          toVersion: 1,
          changes: [{ ticketId: a, status: "reserved" }],
        },
      },
      { kind: "resync", notice: { eventId: event.eventId, version: 4, reason: "gap" } },
      {
        kind: "seats",
        frame: {
          eventId: event.eventId,
          fromVersion: 4,
          toVersion: 5,
          changes: [{ ticketId: b, status: "booked" }],
        },
      },
    ]);
  });

  it("a reconnecting client resumes from its version, or is given the current one", async function () {
    const event = await freshEvent();
    const first = track(await connectSeatClient(system.baseUrl));
    await first.subscribe(event.eventId);
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 0,
      changes: [{ ticketId: event.ticketIds[0], status: "reserved" }],
    });
    await first.until(() => first.frames().at(-1)?.toVersion === 1);
    first.close();
    // Missed while away.
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 1,
      changes: [{ ticketId: event.ticketIds[1], status: "reserved" }],
    });
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 2,
      changes: [{ ticketId: event.ticketIds[0], status: "booked" }],
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = track(await connectSeatClient(system.baseUrl));
    expect(await again.subscribe(event.eventId, 1)).to.deep.equal({ eventId: event.eventId, version: 1 });
    await again.until(() => again.frames().at(-1)?.toVersion === 3);
    expect(assertContinuous(again.frames(), 1)).to.equal(3);
    expect(Object.fromEntries(applyFrames(again.frames()))).to.deep.equal({
      [event.ticketIds[1]]: "reserved",
      [event.ticketIds[0]]: "booked",
    });
    // A version that is not buffered (from the future here): the ack gives the current version to refetch.
    const lost = track(await connectSeatClient(system.baseUrl));
    expect(await lost.subscribe(event.eventId, 99)).to.deep.equal({ eventId: event.eventId, version: 3 });
    // The live tickets endpoint serves the snapshot a client refetches.
    const tickets = await system.request("GET", `/events/${event.eventId}/tickets`);
    expect(tickets.status).to.equal(200);
  });

  it("answers bad subscribes with the contract's error shape", async function () {
    const client = track(await connectSeatClient(system.baseUrl));
    const missing: any = await client.subscribe("ev_doesnotexist0");
    expect(missing.error.code).to.equal("NOT_FOUND");
    const bad: any = await client.socket.timeout(5_000).emitWithAck("subscribe", { eventId: "../etc" });
    expect(bad.error.code).to.equal("VALIDATION_ERROR");
    expect(bad.error.details.field).to.equal("eventId");
    const extra: any = await client.socket
      .timeout(5_000)
      .emitWithAck("subscribe", { eventId: fixture.eventId, x: 1 } as any);
    expect(extra.error.code).to.equal("VALIDATION_ERROR");
    const notObject: any = await client.socket.timeout(5_000).emitWithAck("subscribe", "nope" as any);
    expect(notObject.error.code).to.equal("VALIDATION_ERROR");
    const badVersion: any = await client.socket
      .timeout(5_000)
      .emitWithAck("subscribe", { eventId: fixture.eventId, version: -1 });
    expect(badVersion.error.details.field).to.equal("version");
    // The socket still works after bad input.
    expect(await client.subscribe(fixture.eventId)).to.have.property("version");
  });

  it("unsubscribe stops the frames", async function () {
    const event = await freshEvent();
    const client = track(await connectSeatClient(system.baseUrl));
    const witness = track(await connectSeatClient(system.baseUrl));
    await client.subscribe(event.eventId);
    await witness.subscribe(event.eventId);
    expect(
      await client.socket.timeout(5_000).emitWithAck("unsubscribe", { eventId: event.eventId }),
    ).to.deep.equal({
      eventId: event.eventId,
      subscribed: false,
    });
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 0,
      changes: [{ ticketId: event.ticketIds[0], status: "reserved" }],
    });
    await witness.until(() => witness.frames().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.received).to.deep.equal([]);
  });

  it("pushes realtime.toUser events to the sockets of that user only", async function () {
    const alice = track(await connectSeatClient(system.baseUrl, { token: await system.token("alice") }));
    const bob = track(await connectSeatClient(system.baseUrl, { token: await system.token("bob") }));
    const got: unknown[] = [];
    const bobGot: unknown[] = [];
    alice.socket.on("queue", (data) => got.push(data));
    bob.socket.on("queue", (data) => bobGot.push(data));
    const data = { status: "waiting", position: 3, estimatedWaitSeconds: 12 };
    await system.node.broker.emit("realtime.toUser", { userId: "alice", event: "queue", data });
    await waitFor(() => got.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(got).to.deep.equal([data]);
    expect(bobGot).to.deep.equal([]);
  });

  it("delivers each push of a realtime.toUsers batch to that user's sockets, skipping malformed ones", async function () {
    const alice = track(await connectSeatClient(system.baseUrl, { token: await system.token("alice") }));
    const bob = track(await connectSeatClient(system.baseUrl, { token: await system.token("bob") }));
    const got: unknown[] = [];
    const bobGot: unknown[] = [];
    alice.socket.on("queue", (data) => got.push(data));
    bob.socket.on("queue", (data) => bobGot.push(data));
    const first = { status: "waiting", position: 3, estimatedWaitSeconds: 12 };
    const second = { status: "waiting", position: 2, estimatedWaitSeconds: 8 };
    await system.node.broker.emit("realtime.toUsers", {
      pushes: [
        { userId: "alice", event: "queue", data: first },
        { userId: "nobody-here", event: "queue", data: first },
        { userId: "bob", event: "not an event name", data: first },
        null,
        { userId: "alice", event: "queue", data: second },
      ],
    });
    await waitFor(() => got.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(got).to.deep.equal([first, second]);
    expect(bobGot).to.deep.equal([]);
  });

  it("a waiting-room member's socket gets its queue pushes", async function () {
    const event = await createEventFixture(system, { waitingRoom: { enabled: true } });
    const token = await system.token("frank");
    const frank = track(await connectSeatClient(system.baseUrl, { token }));
    const other = track(await connectSeatClient(system.baseUrl, { token: await system.token("grace") }));
    const pushes: any[] = [];
    const otherPushes: any[] = [];
    frank.socket.on("queue", (data) => pushes.push(data));
    other.socket.on("queue", (data) => otherPushes.push(data));
    const joined = await system.request("POST", `/events/${event.eventId}/queue`, { token });
    expect(joined.status).to.equal(200);
    await waitFor(() => pushes.some((push) => push.status === "admitted"), 15_000, "an admission push");
    const admitted = pushes.find((push) => push.status === "admitted");
    expect(admitted).to.include({ status: "admitted", position: 0, estimatedWaitSeconds: 0 });
    expect(admitted.admissionToken).to.be.a("string");
    const polled = await system.request("GET", `/events/${event.eventId}/queue`, { token });
    expect(polled.body).to.deep.equal(admitted);
    expect(otherPushes).to.deep.equal([]);
  });

  it("refuses a socket whose auth token is not valid", async function () {
    let failure: any;
    try {
      track(await connectSeatClient(system.baseUrl, { token: "not.a.token" }));
    } catch (error) {
      failure = error;
    }
    expect(failure?.data?.error?.code).to.equal("UNAUTHENTICATED");
  });

  it("exposes real-time metrics", async function () {
    const event = await freshEvent();
    const client = track(await connectSeatClient(system.baseUrl));
    await client.subscribe(event.eventId);
    publishDelta(system, {
      eventId: event.eventId,
      fromVersion: 0,
      changes: [{ ticketId: event.ticketIds[0], status: "reserved" }],
    });
    await client.until(() => client.frames().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // gauges refresh every second
    const metrics = await system.request("GET", "/metrics");
    expect(metrics.status).to.equal(200);
    const text = String(metrics.body);
    expect(text).to.match(/marquee_realtime_frames_total(\{[^}]*\})? [1-9]/);
    expect(text).to.match(/marquee_realtime_sockets(\{[^}]*\})? [1-9]/);
    expect(text).to.include("marquee_realtime_commit_to_fanout_seconds_bucket");
  });

  describe("SSE", function () {
    it("streams the same frames with ids, heartbeats, and resumes from Last-Event-ID", async function () {
      const event = await freshEvent();
      const socketClient = track(await connectSeatClient(system.baseUrl));
      await socketClient.subscribe(event.eventId);
      const stream = track(await openSse(system.baseUrl, `/events/${event.eventId}/updates`));
      expect(stream.status).to.equal(200);
      expect(stream.headers.get("content-type")).to.match(/^text\/event-stream/);
      await stream.until((events) => events.length === 1);
      expect(stream.events[0]).to.deep.equal({
        event: "subscribed",
        id: "0",
        data: { eventId: event.eventId, version: 0 },
      });
      for (let version = 0; version < 6; version++) {
        publishDelta(system, {
          eventId: event.eventId,
          fromVersion: version,
          changes: [{ ticketId: event.ticketIds[version], status: "reserved" }],
        });
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await socketClient.until(() => socketClient.frames().at(-1)?.toVersion === 6);
      await stream.until((events) => events.at(-1)?.data?.toVersion === 6);
      const seats = stream.events.filter((item) => item.event === "seats");
      expect(seats.map((item) => item.data)).to.deep.equal(socketClient.frames());
      for (const item of seats) expect(item.id).to.equal(String(item.data.toVersion));
      await stream.until((_events, comments) => comments.includes("heartbeat"), 2_000);
      stream.close();

      // Resume after version 2 (a frame boundary or inside one: both resume).
      const middle = seats[0].data.toVersion;
      const resumed = track(
        await openSse(system.baseUrl, `/events/${event.eventId}/updates`, {
          "Last-Event-ID": String(middle),
        }),
      );
      await resumed.until((events) => events.at(-1)?.data?.toVersion === 6);
      expect(resumed.events.map((item) => item.data)).to.deep.equal(seats.slice(1).map((item) => item.data));

      const upToDate = track(await openSse(system.baseUrl, `/events/${event.eventId}/updates?lastEventId=6`));
      publishDelta(system, {
        eventId: event.eventId,
        fromVersion: 6,
        changes: [{ ticketId: event.ticketIds[9], status: "booked" }],
      });
      await upToDate.until((events) => events.length === 1);
      expect(upToDate.events[0].data).to.include({ fromVersion: 6, toVersion: 7 });

      const expired = track(
        await openSse(system.baseUrl, `/events/${event.eventId}/updates`, { "Last-Event-ID": "500" }),
      );
      await expired.until((events) => events.length === 1);
      expect(expired.events[0]).to.deep.equal({
        event: "resync",
        id: "7",
        data: { eventId: event.eventId, version: 7, reason: "expired" },
      });
    });

    it("answers 404 for an unknown event and 400 for a bad Last-Event-ID", async function () {
      const missing = await openSse(system.baseUrl, "/events/ev_doesnotexist0/updates");
      expect(missing.status).to.equal(404);
      expect(missing.body.error.code).to.equal("NOT_FOUND");
      const bad = await openSse(system.baseUrl, `/events/${fixture.eventId}/updates`, {
        "Last-Event-ID": "abc",
      });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal("VALIDATION_ERROR");
    });
  });
});
