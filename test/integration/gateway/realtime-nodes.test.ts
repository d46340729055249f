// Two gateway nodes and one core node (catalog + booking) over NATS (one namespace, one database):
// every gateway gets every seat delta, whether it is emitted or broadcast, and clients on both see
// one stream.
import { expect } from "chai";
import {
  dropDatabase,
  freshDatabaseUrl,
  startSystem,
  uniqueName,
  type TestSystem,
} from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";
import {
  applyFrames,
  assertContinuous,
  connectSeatClient,
  openSse,
  publishDelta,
  waitFor,
  type SeatClient,
} from "../../support/realtime.ts";
import { testNatsUrl } from "../../support/clusters.ts";

describe("real-time seat map across gateway nodes (NATS)", function () {
  this.timeout(60_000);
  let gatewayA: TestSystem;
  let gatewayB: TestSystem;
  let core: TestSystem;
  let databaseUrl: string;
  let event: EventFixture;
  const clients: { close(): void }[] = [];
  const track = <T extends { close(): void }>(client: T): T => (clients.push(client), client);

  before(async function () {
    databaseUrl = await freshDatabaseUrl();
    const env = { TRANSPORTER: testNatsUrl, NAMESPACE: uniqueName("ns"), REALTIME_COALESCE_MS: "40" };
    core = await startSystem({
      databaseUrl,
      env: { ...env, SERVICES: "catalog,booking", NODE_ID: uniqueName("core") },
    });
    gatewayA = await startSystem({
      databaseUrl,
      env: { ...env, SERVICES: "api", NODE_ID: uniqueName("gwa") },
    });
    gatewayB = await startSystem({
      databaseUrl,
      env: { ...env, SERVICES: "api", NODE_ID: uniqueName("gwb") },
    });
    await waitFor(
      () =>
        [gatewayA, gatewayB].every((gateway) =>
          gateway.node.broker.registry.actions.isAvailable("catalog.seatVersion"),
        ) &&
        (core.node.broker.registry as any).getNodeList({ onlyAvailable: true, withServices: false })
          .length === 3,
      10_000,
      "the three nodes to see each other",
    );
    event = await createEventFixture(gatewayA, { seats: 40 });
  });
  afterEach(() => clients.splice(0).forEach((client) => client.close()));
  after(async function () {
    await Promise.all([gatewayA?.stop(), gatewayB?.stop()]);
    await core?.stop();
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it("clients on both gateways see the same continuous stream, emitted or broadcast", async function () {
    const onA = track(await connectSeatClient(gatewayA.baseUrl));
    const onB = track(await connectSeatClient(gatewayB.baseUrl));
    const sseOnB = track(await openSse(gatewayB.baseUrl, `/events/${event.eventId}/updates`));
    const start = ((await onA.subscribe(event.eventId)) as { version: number }).version;
    expect(await onB.subscribe(event.eventId)).to.deep.equal({ eventId: event.eventId, version: start });
    await sseOnB.until((events) => events.length === 1);
    const statuses = ["reserved", "booked", "available"] as const;
    const total = 120;
    for (let index = 0; index < total; index++) {
      publishDelta(
        core,
        {
          eventId: event.eventId,
          fromVersion: start + index,
          changes: [{ ticketId: event.ticketIds[index % 40], status: statuses[index % 3] }],
        },
        index % 2 === 0 ? "emit" : "broadcast",
      );
      if (index % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const end = start + total;
    await onA.until(() => onA.frames().at(-1)?.toVersion === end, 10_000);
    await onB.until(() => onB.frames().at(-1)?.toVersion === end, 10_000);
    await sseOnB.until((events) => events.at(-1)?.data?.toVersion === end, 10_000);
    expect(assertContinuous(onA.frames(), start)).to.equal(end);
    expect(assertContinuous(onB.frames(), start)).to.equal(end);
    const sseFrames = sseOnB.events.filter((item) => item.event === "seats").map((item) => item.data);
    expect(assertContinuous(sseFrames, start)).to.equal(end);
    // Frames may be cut at different points on each node; the seat states they lead to are the same.
    const expected = new Map<string, string>();
    for (let index = 0; index < total; index++)
      expected.set(event.ticketIds[index % 40], statuses[index % 3]);
    expect(applyFrames(onA.frames())).to.deep.equal(expected);
    expect(applyFrames(onB.frames())).to.deep.equal(expected);
    expect(applyFrames(sseFrames)).to.deep.equal(expected);
  });

  it("a client that reconnects to the other gateway resumes from its version", async function () {
    const stays = track(await connectSeatClient(gatewayB.baseUrl)); // keeps B following the event
    const moves: SeatClient = track(await connectSeatClient(gatewayA.baseUrl));
    const start = ((await moves.subscribe(event.eventId)) as { version: number }).version;
    await stays.subscribe(event.eventId);
    publishDelta(core, {
      eventId: event.eventId,
      fromVersion: start,
      changes: [{ ticketId: event.ticketIds[0], status: "reserved" }],
    });
    await moves.until(() => moves.frames().at(-1)?.toVersion === start + 1);
    moves.close();
    publishDelta(core, {
      eventId: event.eventId,
      fromVersion: start + 1,
      changes: [{ ticketId: event.ticketIds[1], status: "reserved" }],
    });
    publishDelta(core, {
      eventId: event.eventId,
      fromVersion: start + 2,
      changes: [{ ticketId: event.ticketIds[0], status: "booked" }],
    });
    await stays.until(() => stays.frames().at(-1)?.toVersion === start + 3);
    const back = track(await connectSeatClient(gatewayB.baseUrl));
    expect(await back.subscribe(event.eventId, start + 1)).to.deep.equal({
      eventId: event.eventId,
      version: start + 1,
    });
    await back.until(() => back.frames().at(-1)?.toVersion === start + 3);
    expect(assertContinuous(back.frames(), start + 1)).to.equal(start + 3);
    expect(Object.fromEntries(applyFrames(back.frames()))).to.deep.equal({
      [event.ticketIds[1]]: "reserved",
      [event.ticketIds[0]]: "booked",
    });
  });

  it("real reserves and releases through one gateway reach clients on both", async function () {
    // A fresh event: the tests above moved the other one's versions with deltas of their own.
    const event = await createEventFixture(gatewayB, { seats: 40 });
    const onA = track(await connectSeatClient(gatewayA.baseUrl));
    const onB = track(await connectSeatClient(gatewayB.baseUrl));
    const start = ((await onA.subscribe(event.eventId)) as { version: number }).version;
    expect(await onB.subscribe(event.eventId)).to.deep.equal({ eventId: event.eventId, version: start });
    const dave = await gatewayA.token("dave");
    const erin = await gatewayB.token("erin");
    const [first, second, third] = event.ticketIds.slice(30);
    const call = (gateway: TestSystem, path: string, token: string, ticketIds: string[]) =>
      gateway.request("POST", path, { token, body: { ticketIds } });
    expect((await call(gatewayA, "/booking/reserve", dave, [first, second])).status).to.equal(200);
    expect((await call(gatewayB, "/booking/reserve", erin, [third])).status).to.equal(200);
    expect((await call(gatewayA, "/booking/release", dave, [first])).status).to.equal(200);
    const expected = { [first]: "available", [second]: "reserved", [third]: "reserved" };
    for (const client of [onA, onB]) {
      await client.until(() => {
        const seats = applyFrames(client.frames());
        return Object.entries(expected).every(([ticketId, status]) => seats.get(ticketId) === status);
      }, 10_000);
    }
    const end = onA.frames().at(-1)!.toVersion;
    await onB.until(() => onB.frames().at(-1)?.toVersion === end);
    expect(assertContinuous(onA.frames(), start)).to.equal(end);
    expect(assertContinuous(onB.frames(), start)).to.equal(end);
    expect(applyFrames(onA.frames())).to.deep.equal(applyFrames(onB.frames()));
  });

  it("realtime.toUser reaches the user's socket on whichever gateway it is connected to", async function () {
    const carol = track(await connectSeatClient(gatewayB.baseUrl, { token: await gatewayA.token("carol") }));
    const got: unknown[] = [];
    carol.socket.on("queue", (data) => got.push(data));
    await core.node.broker.emit("realtime.toUser", {
      userId: "carol",
      event: "queue",
      data: { position: 1 },
    });
    await waitFor(() => got.length === 1);
    expect(got).to.deep.equal([{ position: 1 }]);
  });
});
