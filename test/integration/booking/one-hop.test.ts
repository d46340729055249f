// One hop: a booking command from either gateway reaches the node that owns its event directly (the
// Shard strategy's key is the event a call names, derived from its ticket ids when it has no eventId),
// and runs there without a `booking.execute` forward. A takeover behind the owner's back (another node
// activates the event) still answers: the stale actor refuses, the command is sent again.
import { expect } from "chai";
import type { ServiceSchema } from "moleculer";
import { createBookingService } from "../../../actors/booking/booking.service.ts";
import type { ServiceFactory } from "../../../services.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { findDatabaseViolations, queryDatabase } from "../../support/invariants.ts";
import {
  dropDatabase,
  freshDatabaseUrl,
  startSystem,
  uniqueName,
  type TestSystem,
} from "../../support/system.ts";
import { testNatsUrl } from "../../support/clusters.ts";

const nodeIds = ["hop-one", "hop-two"];

/** What a node's booking service received: `reserve`, `release`, `confirm`, or `execute:<command>`. */
type Received = { nodeId: string; action: string };

/** The real booking service, with its handlers noting each call they receive on this node. */
function countedBooking(nodeId: string, received: Received[]): ServiceFactory {
  return (runtime) => {
    const schema = createBookingService(runtime);
    const actions = schema.actions as Record<string, any>;
    for (const name of ["reserve", "release", "confirm", "execute"]) {
      const action = actions[name];
      const handler = action.handler;
      actions[name] = {
        ...action,
        handler(this: unknown, ctx: any) {
          const command = name === "execute" ? `:${ctx.params.command?.type}` : "";
          received.push({ nodeId, action: name + command });
          return handler.call(this, ctx);
        },
      };
    }
    return schema as ServiceSchema;
  };
}

async function waitFor(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const bookingEndpoints = (system: TestSystem): number =>
  (system.node.broker.registry as any)
    .getActionEndpoints("booking.execute")
    ?.endpoints.filter((e: any) => e.isAvailable).length ?? 0;

/** Seat commands: what a gateway's booking call turns into (updateSettings comes from the catalog). */
const seatCommand = (action: string) =>
  /^execute:(reserve|reserveBest|release|confirmStart|confirmComplete|confirmAbort)$/.test(action);

describe("booking: one hop from the gateway to the event's owner", function () {
  this.timeout(90_000);
  let databaseUrl: string;
  const systems: TestSystem[] = [];
  const received: Received[] = [];
  before(async () => {
    databaseUrl = await freshDatabaseUrl();
    const namespace = uniqueName("ns");
    for (const nodeId of nodeIds)
      systems.push(
        await startSystem({
          databaseUrl,
          env: { TRANSPORTER: testNatsUrl, NAMESPACE: namespace, NODE_ID: nodeId, WORKER_POOL_SIZE: "1" },
          services: { booking: countedBooking(nodeId, received) },
        }),
      );
    await waitFor("both nodes to see both booking services", () =>
      systems.every((s) => bookingEndpoints(s) === 2),
    );
  });
  after(async () => {
    for (const system of systems) await system.stop().catch(() => {});
    await dropDatabase(databaseUrl);
  });

  const actorOf = async (eventId: string) =>
    (
      await queryDatabase(databaseUrl, "SELECT owner, epoch FROM event_actors WHERE event_id = $1", [eventId])
    )[0];

  it("reserve by ids, release, best available and confirm reach the owner, with no forward", async () => {
    const fixture = await createEventFixture(systems[0], { seats: 60 });
    const { eventId, ticketIds } = fixture;
    const users = Array.from({ length: 8 }, (_, index) => `hop-${index}`);
    const tokens = await Promise.all(users.map((user) => systems[0].token(user)));
    received.length = 0;
    const post = async (
      system: TestSystem,
      status: number,
      path: string,
      options: { token: string; body: unknown; headers?: Record<string, string> },
    ) => {
      const answer = await system.request("POST", path, options);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
      return answer.body;
    };
    // Each user through both gateways in turn: one of them is never the owner.
    for (const [index, token] of tokens.entries()) {
      const [here, there] = index % 2 === 0 ? systems : [systems[1], systems[0]];
      const [a, b, c] = [ticketIds[index], ticketIds[index + 10], ticketIds[index + 20]];
      await post(here, 200, "/booking/reserve", { token, body: { ticketId: a } });
      await post(there, 200, "/booking/reserve", { token, body: { ticketIds: [b, c] } });
      await post(here, 200, "/booking/release", { token, body: { ticketIds: [c] } });
      await post(there, 200, "/booking/release", { token, body: { ticketId: b } });
      const body = { ticketId: a, paymentDetails: { token: "tok_ok" } };
      await post(here, 201, "/booking/confirm", {
        token,
        body,
        headers: { "Idempotency-Key": `${users[index]}-k1` },
      });
    }
    // Best available (after the seats named by id: it may choose any free seat), then pay for it.
    for (const [index, token] of tokens.entries()) {
      const [here, there] = index % 2 === 0 ? systems : [systems[1], systems[0]];
      const hold = await post(there, 200, "/booking/reserve", { token, body: { eventId, quantity: 2 } });
      const body = { ticketIds: hold.ticketIds, paymentDetails: { token: "tok_ok" } };
      await post(here, 201, "/booking/confirm", {
        token,
        body,
        headers: { "Idempotency-Key": `${users[index]}-k2` },
      });
    }
    const owner = (await actorOf(eventId)).owner as string;
    const ownerNode = owner.split("/")[0];
    expect(nodeIds).to.include(ownerNode);
    const requests = received.filter((item) => !item.action.startsWith("execute"));
    // Per user: 2 reserves by id, 2 releases, a confirm, best available and its confirm; every one
    // received by the owner, which ran its seat commands itself (no booking.execute).
    expect(requests).to.have.length(users.length * 7);
    expect(requests.filter((item) => item.nodeId !== ownerNode)).to.deep.equal([]);
    expect(received.filter((item) => seatCommand(item.action))).to.deep.equal([]);
  });

  it("refuses tickets of two events on either gateway, as one node would", async () => {
    const [first, second] = [
      await createEventFixture(systems[0], { seats: 4 }),
      await createEventFixture(systems[1], { seats: 4 }),
    ];
    const token = await systems[0].token("hop-mixed");
    for (const system of systems) {
      const answer = await system.request("POST", "/booking/reserve", {
        token,
        body: { ticketIds: [first.ticketIds[0], second.ticketIds[0]] },
      });
      expect(answer.status).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
      expect(answer.body.error.details.field).to.equal("ticketIds");
    }
  });

  it("a takeover behind the owner's back: its stale actor refuses and the command is sent again", async () => {
    const { eventId, ticketIds } = await createEventFixture(systems[0], { seats: 10 });
    const token = await systems[0].token("hop-late");
    await systems[0].request("POST", "/booking/reserve", { token, body: { ticketId: ticketIds[0] } });
    const before = await actorOf(eventId);
    const ownerNode = before.owner.split("/")[0] as string;
    const otherNode = nodeIds.find((id) => id !== ownerNode)!;
    // The other node activates the event (a higher epoch), as it would in a takeover, and holds a seat.
    const intruder = await systems[0].node.broker.call(
      "booking.execute",
      { eventId, command: { type: "reserve", userId: "intruder", ordinals: [1], holdId: "" } },
      { nodeID: otherNode },
    );
    expect(intruder).to.have.property("ticketIds");
    expect(await actorOf(eventId)).to.deep.equal({ owner: `${otherNode}/w0`, epoch: before.epoch + 1 });
    // The gateways still route to the owner, whose actor is fenced out: refused, sent again, and the
    // owner takes the event back from Postgres (the intruder's hold included) - no error for the buyer.
    received.length = 0;
    const taken = await systems[1].request("POST", "/booking/reserve", {
      token,
      body: { ticketId: ticketIds[1] },
    });
    expect(taken.status, JSON.stringify(taken.body)).to.equal(409);
    const free = await systems[1].request("POST", "/booking/reserve", {
      token,
      body: { ticketId: ticketIds[2] },
    });
    expect(free.status, JSON.stringify(free.body)).to.equal(200);
    expect(await actorOf(eventId)).to.deep.equal({ owner: `${ownerNode}/w0`, epoch: before.epoch + 2 });
    expect(received.filter((item) => item.nodeId !== ownerNode)).to.deep.equal([]);
    expect(await findDatabaseViolations(databaseUrl)).to.deep.equal([]);
  });
});
