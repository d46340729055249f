// A client that stops reading: the gateway bounds what it buffers for it, drops its frames, and
// once it drains tells it to resync; other clients are not held back.
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { assertContinuous, connectSeatClient, publishDelta, waitFor } from "../../support/realtime.ts";
import { socketBufferedPacketsMax } from "../../../domain/limits.ts";
import type { RealtimeGateway } from "../../../gateway/realtime/realtime.ts";

describe("real-time slow client bound", function () {
  this.timeout(60_000);
  let system: TestSystem;

  before(async function () {
    system = await startSystem({ env: { REALTIME_COALESCE_MS: "20" } });
  });
  after(async function () {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("drops a stalled socket's frames, keeps its buffer bounded, and resyncs it once it drains", async function () {
    const event = await createEventFixture(system, { seats: 10 });
    const realtime = (system.node.broker.getLocalService("api") as any).realtime as RealtimeGateway;
    const fast = await connectSeatClient(system.baseUrl);
    const slow = await connectSeatClient(system.baseUrl);
    try {
      await fast.subscribe(event.eventId);
      await slow.subscribe(event.eventId);
      const serverSide = [...realtime.sockets!.io.sockets.sockets.values()].find(
        (socket) => socket.id === slow.socket.id,
      )!;
      expect(serverSide).to.not.equal(undefined);
      // Stop reading: the kernel buffers fill, then the gateway's.
      const tcp = (slow.socket.io.engine as any).transport.ws._socket;
      tcp.pause();

      // Big frames (2,000 changes each, ~90 KB) until the gateway gives up on the slow socket.
      const changes = Array.from({ length: 2_000 }, (_, ordinal) => ({
        ticketId: `${event.eventId}.${ordinal + 1}`,
        status: "reserved" as const,
      }));
      let version = 0;
      let maxPackets = 0;
      while (!serverSide.data.lagging && version < 2_000) {
        publishDelta(system, { eventId: event.eventId, fromVersion: version, changes });
        version += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        maxPackets = Math.max(maxPackets, (serverSide.conn as any).writeBuffer.length);
      }
      expect(serverSide.data.lagging, "the stalled socket was marked lagging").to.equal(true);
      const lagAt = version;
      for (let more = 0; more < 20; more++) {
        publishDelta(system, { eventId: event.eventId, fromVersion: version, changes });
        version += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
        maxPackets = Math.max(maxPackets, (serverSide.conn as any).writeBuffer.length);
      }
      // Nothing more was queued for it once it lagged: no seat frame waits in its engine buffer.
      expect(maxPackets).to.be.at.most(socketBufferedPacketsMax + 1);
      const queuedFrames = (serverSide.conn as any).writeBuffer.filter((packet: any) =>
        String(packet.data).startsWith('2["seats"'),
      );
      expect(queuedFrames.length).to.equal(0);

      await fast.until(() => fast.frames().at(-1)?.toVersion === version, 20_000);
      expect(assertContinuous(fast.frames(), 0)).to.equal(version);

      tcp.resume();
      await slow.until((received) => received.some((item) => item.kind === "resync"), 20_000);
      const resyncIndex = slow.received.findIndex((item) => item.kind === "resync");
      const notice = slow.received[resyncIndex];
      expect(notice).to.deep.include({ kind: "resync" });
      if (notice.kind !== "resync") throw new Error("unreachable");
      expect(notice.notice).to.deep.equal({ eventId: event.eventId, version, reason: "lagging" });
      const before = slow.frames().filter((frame) => frame.toVersion <= lagAt);
      assertContinuous(before, 0); // what it did get before lagging was in order
      expect(slow.frames().length).to.be.lessThan(version); // and it did not get every frame
      // After the resync it follows the live stream again.
      publishDelta(system, { eventId: event.eventId, fromVersion: version, changes: changes.slice(0, 1) });
      await slow.until(() => slow.frames().at(-1)?.toVersion === version + 1);
      expect(slow.frames().at(-1)!.fromVersion).to.equal(version);
      await waitFor(() => !serverSide.data.lagging);
    } finally {
      fast.close();
      slow.close();
    }
  });
});
