// Every node serves its own metrics (issue 17), and every metric an alert or a dashboard names is
// served: a gateway, a booking node and the indexer over NATS on one database, some traffic (a
// booking, a release, a waiting room, seat maps, a path no route has), then each node's /metrics (the
// gateway on its port, the others on HEALTH_PORT) scraped. Each text passes `promtool check metrics`.
import { expect } from "chai";
import { createEventFixture } from "../../support/catalog.ts";
import { referencedMetrics } from "../../support/deploy/deploy-files.ts";
import { servedSampleNames } from "../../support/deploy/promql-names.ts";
import { promtool, promtoolMissing } from "../../support/deploy/promtool.ts";
import { freePort } from "../../support/processes.ts";
import {
  dropDatabase,
  freshDatabaseUrl,
  startSystem,
  uniqueName,
  type TestSystem,
} from "../../support/system.ts";
import { testNatsUrl } from "../../support/clusters.ts";

/** Made by Prometheus itself, not served by a node. */
const prometheusOwn = new Set(["up"]);

async function scrape(url: string): Promise<string> {
  const answer = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  expect(answer.status, url).to.equal(200);
  return answer.text();
}

/** Bookings, a release, a waiting room with one shopper admitted and one waiting, seat maps, a 404. */
async function traffic(gateway: TestSystem): Promise<{ eventId: string; waitingEventId: string }> {
  const { eventId, ticketIds } = await createEventFixture(gateway, { seats: 10 });
  const alice = await gateway.token("alice");
  const reserve = (ids: string[]) =>
    gateway.request("POST", "/booking/reserve", { token: alice, body: { ticketIds: ids } });
  expect((await reserve(ticketIds.slice(0, 2))).status).to.equal(200);
  const confirm = await gateway.request("POST", "/booking/confirm", {
    token: alice,
    body: { ticketIds: ticketIds.slice(0, 2), paymentDetails: { token: "tok_ok" } },
    headers: { "Idempotency-Key": uniqueName("key") },
  });
  expect(confirm.status, JSON.stringify(confirm.body)).to.equal(201);
  expect((await reserve([ticketIds[5]])).status).to.equal(200);
  const release = await gateway.request("POST", "/booking/release", {
    token: alice,
    body: { ticketIds: [ticketIds[5]] },
  });
  expect(release.status).to.equal(200);
  expect((await gateway.request("GET", `/events/${eventId}/tickets?format=compact`)).status).to.equal(200);
  expect((await gateway.request("GET", "/no/such/route")).status).to.equal(404);

  const waiting = await createEventFixture(gateway, {
    waitingRoom: { enabled: true, maxActiveShoppers: 1, admitPerMinute: 60 },
  });
  for (const user of ["bob", "carol"]) {
    const join = await gateway.request("POST", `/events/${waiting.eventId}/queue`, {
      token: await gateway.token(user),
    });
    expect(join.status).to.equal(200);
  }
  return { eventId, waitingEventId: waiting.eventId };
}

describe("metrics served by every node (gateway, booking node, indexer over NATS)", function () {
  this.timeout(120_000);
  let databaseUrl: string;
  const systems: TestSystem[] = [];
  let urls: { gateway: string; booking: string; indexer: string };
  let texts: { gateway: string; booking: string; indexer: string };
  let events: { eventId: string; waitingEventId: string };

  const scrapeAll = async () => ({
    gateway: await scrape(urls.gateway),
    booking: await scrape(urls.booking),
    indexer: await scrape(urls.indexer),
  });

  before(async () => {
    databaseUrl = await freshDatabaseUrl();
    const common = { TRANSPORTER: testNatsUrl, NAMESPACE: uniqueName("ns") };
    const [bookingPort, indexerPort] = [await freePort(), await freePort()];
    const node = async (env: Record<string, string>) => {
      const system = await startSystem({ databaseUrl, env: { ...common, ...env } });
      systems.push(system);
      return system;
    };
    const gateway = await node({ NODE_ID: "gateway", SERVICES: "api,catalog,search" });
    await node({ NODE_ID: "booking", SERVICES: "booking,waiting-room", HEALTH_PORT: String(bookingPort) });
    await node({ NODE_ID: "indexer", SERVICES: "indexer,webhooks", HEALTH_PORT: String(indexerPort) });
    urls = {
      gateway: `${gateway.baseUrl}/metrics`,
      booking: `http://127.0.0.1:${bookingPort}/metrics`,
      indexer: `http://127.0.0.1:${indexerPort}/metrics`,
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await gateway.request("GET", "/health/ready");
      const services: string[] = ready.body?.services ?? [];
      if (
        ready.status === 200 &&
        ["booking", "waiting-room", "indexer"].every((name) => services.includes(name))
      )
        break;
      if (Date.now() > deadline) throw new Error(`cluster not ready: ${JSON.stringify(ready.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    events = await traffic(gateway);
    // Gauges are set on timers (waiting-room ticks, the indexer's status, the gateway's connections).
    const waitingSeries = `marquee_waiting_room_waiting{namespace="${common.NAMESPACE}",event_id="${events.waitingEventId}"} 1`;
    for (;;) {
      texts = await scrapeAll();
      const names = new Set([...Object.values(texts)].flatMap((text) => [...servedSampleNames(text)]));
      const missing = [...(await referencedMetrics()).keys()].filter(
        (name) => !names.has(name) && !prometheusOwn.has(name),
      );
      if (missing.length === 0 && texts.booking.includes(waitingSeries)) break;
      if (Date.now() > deadline + 30_000) break; // the tests below name what is missing
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
  after(async () => {
    for (const system of systems.reverse()) await system.stop().catch(() => {});
    await dropDatabase(databaseUrl);
  });

  it("serves the booking, payment and waiting-room metrics on the booking node's HEALTH_PORT", () => {
    expect(texts.booking).to.match(/^marquee_booking_commits_total\{[^}]*\} [1-9]/m);
    expect(texts.booking).to.match(/^marquee_booking_commit_duration_seconds_count\{[^}]*\} [1-9]/m);
    expect(texts.booking).to.match(
      /^marquee_payments_recovery_passes_total\{[^}]*outcome="completed"\} [1-9]/m,
    );
    expect(texts.booking).to.match(/^marquee_waiting_room_joins_total\{[^}]*\} 2$/m);
    expect(texts.booking).to.include(`event_id="${events.waitingEventId}"} 1`);
    expect(texts.booking).to.match(/^process_cpu_seconds_total\{/m);
    // Where the work happens, and only there: the gateway runs no actor.
    expect(texts.gateway).to.not.match(/^marquee_booking_commits_total/m);
    expect(texts.gateway).to.not.match(/^marquee_waiting_room_/m);
  });

  it("serves the search lag on the indexer's HEALTH_PORT", () => {
    expect(texts.indexer).to.match(/^marquee_search_indexing_lag_seconds\{[^}]*\} \d/m);
    expect(texts.indexer).to.match(/^marquee_search_indexer_leader\{[^}]*\} 1$/m);
    expect(texts.gateway).to.not.match(/^marquee_search_indexing_lag_seconds/m);
  });

  it("counts the gateway's requests by route template, method and status, never by raw URL", () => {
    const count = (route: string, method: string, status: number) =>
      new RegExp(
        `^marquee_http_request_duration_seconds_count\\{[^}]*route="${route}",method="${method}",status="${status}"\\} [1-9]`,
        "m",
      );
    expect(texts.gateway).to.match(count("/booking/confirm", "POST", 201));
    expect(texts.gateway).to.match(count("/booking/reserve", "POST", 200));
    expect(texts.gateway).to.match(count("/events/\\{eventId\\}/tickets", "GET", 200));
    expect(texts.gateway).to.match(count("unmatched", "GET", 404));
    expect(texts.gateway).to.match(
      /route="\/events\/\{eventId\}\/queue",method="POST",status="200",le="0.005"/,
    );
    expect(texts.gateway).to.not.include(`route="/events/${events.eventId}`);
    expect(texts.gateway).to.not.include('route="/no/such/route"');
  });

  it("serves every metric the alerts and the dashboards name", async () => {
    const served = new Set(Object.values(texts).flatMap((text) => [...servedSampleNames(text)]));
    const references = await referencedMetrics();
    expect(references.size).to.be.at.least(30);
    const missing = [...references].filter(([name]) => !served.has(name) && !prometheusOwn.has(name));
    expect(missing.map(([name, where]) => `${name} (${where.join("; ")})`)).to.deep.equal([]);
  });

  it("renders text promtool accepts: conventional names, units and types", async function () {
    if (promtoolMissing) {
      console.log(`      (${promtoolMissing})`);
      this.skip();
    }
    for (const [node, text] of Object.entries(texts)) {
      const result = await promtool(["check", "metrics"], { input: text });
      expect(result.code, `${node}: ${result.output}`).to.equal(0);
    }
  });
});
