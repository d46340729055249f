// The waiting room through the HTTP API of a whole node (real Postgres, Redis): join, poll, pushes,
// the lottery before the sale, and the admission check the reserve path makes.
import { expect } from "chai";
import { ManualClock } from "../../../domain/clock.ts";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { createAdmissionGuard } from "../../../actors/waiting-room/admission-guard.ts";
import { createAdmissionTokens } from "../../../actors/waiting-room/admission-token.ts";
import type { ToUser } from "../../../domain/messages.ts";

describe("waiting room API", () => {
  let system: TestSystem;
  const clock = new ManualClock(Date.now());
  const pushes: ToUser[] = [];

  before(async () => {
    system = await startSystem({ clock });
    // Stands in for the gateways' Socket.IO delivery: records what the waiting room pushes to users.
    await system.node.broker.createService({
      name: "push-recorder",
      events: {
        "realtime.toUser": { handler: (ctx: any) => void pushes.push(ctx.params) },
        // A tick's pushes come together, one broadcast for many users.
        "realtime.toUsers": { handler: (ctx: any) => void pushes.push(...ctx.params.pushes) },
      },
    });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const join = async (eventId: string, userId: string) =>
    system.request("POST", `/events/${eventId}/queue`, { token: await system.token(userId) });
  const status = async (eventId: string, userId: string) =>
    system.request("GET", `/events/${eventId}/queue`, { token: await system.token(userId) });

  it("answers 401 without a user token, 404 for an unknown event, 400 for a body", async () => {
    const { eventId } = await createEventFixture(system, { waitingRoom: { enabled: true } });
    expect((await system.request("POST", `/events/${eventId}/queue`)).status).to.equal(401);
    const unknown = await join("ev_doesnotexist", "u1");
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal("NOT_FOUND");
    const withBody = await system.request("POST", `/events/${eventId}/queue`, {
      token: await system.token("u1"),
      body: { position: 1 },
    });
    expect(withBody.status).to.equal(400);
  });

  it("lets everyone straight in when the event has no waiting room", async () => {
    const { eventId } = await createEventFixture(system);
    for (const answer of [await join(eventId, "u1"), await status(eventId, "u1")]) {
      expect(answer.status).to.equal(200);
      expect(answer.body).to.deep.equal({ status: "admitted", position: 0, estimatedWaitSeconds: 0 });
    }
  });

  it("lines up, admits with a token (push and poll), and keeps the first place", async () => {
    const { eventId } = await createEventFixture(system, {
      waitingRoom: { enabled: true, maxActiveShoppers: 2, admitPerMinute: 120 },
    });
    expect((await status(eventId, "alice")).status).to.equal(404); // not in line yet
    const first = await join(eventId, "alice");
    expect(first.status).to.equal(200);
    expect(["waiting", "admitted"]).to.include(first.body.status);
    await join(eventId, "bob");
    await join(eventId, "carol");
    const admitted = await eventually(async () => {
      const answer = await status(eventId, "alice");
      return answer.body.status === "admitted" ? answer.body : undefined;
    });
    expect(admitted.position).to.equal(0);
    expect(admitted.admissionToken).to.be.a("string");
    await eventually(async () =>
      (await status(eventId, "bob")).body.status === "admitted" ? true : undefined,
    );
    // Capacity 2: carol waits at the front until someone leaves.
    const carol = await status(eventId, "carol");
    expect(carol.body).to.deep.include({ status: "waiting", position: 1 });
    expect(carol.body.estimatedWaitSeconds).to.be.a("number").and.greaterThan(0);
    expect((await join(eventId, "carol")).body.position).to.equal(1); // joining twice keeps the place

    const alicePush = pushes.find(
      (push) => push.userId === "alice" && (push.data as any).status === "admitted",
    );
    expect(alicePush).to.deep.equal({ userId: "alice", event: "queue", data: admitted });

    // Alice books: the booking core announces it and carol gets in.
    await system.node.broker.emit("booking.holdsEnded", { eventId, userId: "alice", reason: "confirmed" });
    clock.advance(1_000);
    const carolIn = await eventually(async () => {
      const answer = await status(eventId, "carol");
      return answer.body.status === "admitted" ? answer.body : undefined;
    });
    const verified = createAdmissionTokens(system.config.authSecret).verify(carolIn.admissionToken, {
      eventId,
      userId: "carol",
      nowMs: clock.now(),
    });
    expect(verified.ok).to.equal(true);

    const metrics = await system.request("GET", "/metrics");
    expect(metrics.body).to.match(/marquee_waiting_room_joins_total\S* [1-9]/);
    expect(metrics.body).to.match(/marquee_waiting_room_admitted_total\S* [1-9]/);
    expect(metrics.body).to.include(`event_id="${eventId}"`);
  });

  it("gives early joiners no position until the sale opens, then a drawn one", async () => {
    const onSaleAt = new Date(clock.now() + 3_600_000).toISOString();
    const { eventId } = await createEventFixture(system, {
      onSaleAt,
      waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 60 },
    });
    const early = ["e0", "e1", "e2", "e3", "e4"];
    for (const userId of early) {
      const answer = await join(eventId, userId);
      expect(answer.body).to.deep.equal({ status: "waiting", position: null, estimatedWaitSeconds: 3600 });
    }
    clock.set(Date.parse(onSaleAt));
    const late = await join(eventId, "late");
    expect(late.body.status).to.equal("waiting");
    expect(late.body.position).to.be.oneOf([5, 6]); // 6, or 5 if the first was admitted already
    const positions = await Promise.all(early.map(async (userId) => (await status(eventId, userId)).body));
    const waitingPositions = positions.filter((p) => p.status === "waiting").map((p) => p.position);
    expect(waitingPositions.every((position) => position >= 1 && position <= 5)).to.equal(true);
  });

  it("refuses to join the waiting room of an event that has started", async () => {
    const { eventId } = await createEventFixture(system, { waitingRoom: { enabled: true } });
    const event = await system.request("GET", `/events/${eventId}`);
    const saved = clock.now();
    clock.set(Date.parse(event.body.event.startsAt));
    try {
      const answer = await join(eventId, "u1");
      expect(answer.status).to.equal(409);
      expect(answer.body.error.code).to.equal("NOT_ON_SALE");
    } finally {
      clock.set(saved);
    }
  });

  it("the admission guard (reserve path) wants the caller's own unexpired token on waiting-room events", async () => {
    const broker = system.node.broker;
    const guard = createAdmissionGuard((action, params) => broker.call(action, params), system.config, clock);
    const open = await createEventFixture(system);
    const guarded = await createEventFixture(system, { waitingRoom: { enabled: true, tokenTtlSeconds: 60 } });
    await guard.requireAdmission(open.eventId, "dave", undefined); // no waiting room: passes
    await guard.requireAdmission("ev_unknown", "dave", undefined); // unknown: the booking core's 404
    const tokens = createAdmissionTokens(system.config.authSecret);
    const token = tokens.sign({
      eventId: guarded.eventId,
      userId: "dave",
      expiresAtMs: clock.now() + 60_000,
    });
    await guard.requireAdmission(guarded.eventId, "dave", token);
    const refusals: [string, string | undefined][] = [
      ["erin", token], // another user's token
      ["dave", undefined],
      ["dave", "forged.token"],
      [
        "dave",
        createAdmissionTokens("other").sign({
          eventId: guarded.eventId,
          userId: "dave",
          expiresAtMs: clock.now() + 60_000,
        }),
      ],
      ["dave", tokens.sign({ eventId: open.eventId, userId: "dave", expiresAtMs: clock.now() + 60_000 })],
      ["dave", tokens.sign({ eventId: guarded.eventId, userId: "dave", expiresAtMs: clock.now() - 1 })],
    ];
    for (const [userId, given] of refusals) {
      const error = await guard.requireAdmission(guarded.eventId, userId, given).then(
        () => null,
        (caught) => caught,
      );
      expect(error, `${userId} ${given}`).to.not.equal(null);
      expect(error.code).to.equal("ADMISSION_REQUIRED");
      expect(error.status).to.equal(403);
    }
  });
});
