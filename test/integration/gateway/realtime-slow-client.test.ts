// A client that stops reading: the gateway bounds what it buffers for it, drops its frames, and
// once it drains tells it to resync; other clients are not held back.
import { expect } from "chai";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import {
  assertContinuous,
  connectSeatClient,
  followStream,
  publishDelta,
  waitFor,
} from "../../support/realtime.ts";
import { socketBufferedBytesMax, socketBufferedPacketsMax } from "../../../domain/limits.ts";
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
      // What the gateway holds for it stays bounded: a few packets in its engine buffer and about
      // socketBufferedBytesMax in its WebSocket (the kernel's socket buffers take the rest).
      expect(maxPackets).to.be.at.most(socketBufferedPacketsMax + 1);
      const wsBuffered = (serverSide.conn as any).transport.socket.bufferedAmount;
      expect(wsBuffered).to.be.at.most(socketBufferedBytesMax + 4 * 100_000);

      await fast.until(() => fast.frames().at(-1)?.toVersion === version, 20_000);
      expect(assertContinuous(fast.frames(), 0)).to.equal(version);

      tcp.resume();
      // After the pause: frames in order up to its first resync, then from each resync's version on.
      publishDelta(system, { eventId: event.eventId, fromVersion: version, changes: changes.slice(0, 1) });
      version += 1;
      // (the resync may come before or after that last frame: either way the client ends at `version`)
      await slow.until(() => followStream(slow.received, 0) === version, 20_000);
      const resyncs = slow.received.flatMap((item) => (item.kind === "resync" ? [item.notice] : []));
      expect(resyncs.length).to.be.greaterThan(0);
      for (const notice of resyncs)
        expect(notice).to.deep.include({ eventId: event.eventId, reason: "lagging" });
      expect(followStream(slow.received, 0)).to.equal(version);
      expect(slow.frames().length).to.be.lessThan(version); // it did not get every frame
      expect(slow.frames().filter((frame) => frame.toVersion <= lagAt).length).to.be.lessThan(lagAt);
      await waitFor(() => !serverSide.data.lagging);
    } finally {
      fast.close();
      slow.close();
    }
  });
});
