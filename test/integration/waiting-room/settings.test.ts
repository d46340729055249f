// Waiting-room settings per event through the admin API: defaults, enabling, changing each field.
import { expect } from "chai";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { waitingRoomDefaults } from "../../../domain/event.ts";

describe("waiting room settings (admin API)", () => {
  let system: TestSystem;
  let admin: string;
  before(async () => {
    system = await startSystem();
    admin = await system.token("admin-1", "admin");
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const patch = (eventId: string, waitingRoom: unknown) =>
    system.request("PATCH", `/admin/events/${eventId}`, { token: admin, body: { waitingRoom } });

  it("defaults to off, and enabling it fills in the defaults", async () => {
    const { eventId } = await createEventFixture(system);
    const before = await system.request("GET", `/events/${eventId}`);
    expect(before.body.event.waitingRoom).to.deep.equal(waitingRoomDefaults);
    const answer = await patch(eventId, { enabled: true });
    expect(answer.status).to.equal(200);
    expect(answer.body.waitingRoom).to.deep.equal({ ...waitingRoomDefaults, enabled: true });
  });

  it("changes each field on its own and keeps the others", async () => {
    const { eventId } = await createEventFixture(system, { waitingRoom: { enabled: true } });
    let expected = { ...waitingRoomDefaults, enabled: true };
    for (const change of [
      { maxActiveShoppers: 50 },
      { admitPerMinute: 120 },
      { tokenTtlSeconds: 300 },
      { enabled: false },
    ]) {
      const answer = await patch(eventId, change);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      expected = { ...expected, ...change };
      expect(answer.body.waitingRoom).to.deep.equal(expected);
    }
    const read = await system.request("GET", `/events/${eventId}`);
    expect(read.body.event.waitingRoom).to.deep.equal(expected);
  });

  it("refuses bad values and unknown fields with 400 and changes nothing", async () => {
    const { eventId } = await createEventFixture(system, {
      waitingRoom: { enabled: true, admitPerMinute: 60 },
    });
    for (const bad of [
      { maxActiveShoppers: 0 },
      { admitPerMinute: -1 },
      { tokenTtlSeconds: 1.5 },
      { enabled: "yes" },
      { enabled: true, extra: 1 },
    ]) {
      const answer = await patch(eventId, bad);
      expect(answer.status, JSON.stringify(bad)).to.equal(400);
      expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
    }
    const read = await system.request("GET", `/events/${eventId}`);
    expect(read.body.event.waitingRoom).to.deep.equal({
      ...waitingRoomDefaults,
      enabled: true,
      admitPerMinute: 60,
    });
  });
});
