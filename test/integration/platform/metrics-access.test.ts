// Who may read /metrics and where (contract v1.1 "Operations", issue 16 item 4): METRICS_TOKEN makes
// it answer only that bearer token; METRICS_PORT moves it off the public port. Either way, no host
// name in what a gateway node renders.
import { expect } from "chai";
import os from "node:os";
import { freePort } from "../../support/processes.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

const metricsToken = "s3cret-metrics-token-0123456789";

describe("metrics access", function () {
  const systems: TestSystem[] = [];
  afterEach(async function () {
    for (const system of systems.splice(0)) {
      await system.stop();
      await dropDatabase(system.databaseUrl);
    }
  });

  it("is open on the public port by default, and names no host", async function () {
    const system = await startSystem();
    systems.push(system);
    const metrics = await system.request("GET", "/metrics");
    expect(metrics.status).to.equal(200);
    expect(metrics.body).to.match(/^process_resident_memory_bytes\{/m);
    expect(metrics.body).to.not.match(/^os_hostname|^os_network_|^process_arguments|^process_pid/m);
    const hostName = new RegExp(
      `(^|[^A-Za-z0-9])${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9])`,
      "i",
    );
    expect(metrics.body).to.not.match(hostName);
  });

  it("answers only Authorization: Bearer <METRICS_TOKEN> when METRICS_TOKEN is set", async function () {
    const system = await startSystem({ env: { METRICS_TOKEN: metricsToken } });
    systems.push(system);
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token-of-some-length" },
      { authorization: metricsToken },
    ];
    for (const headers of attempts) {
      const refused = await system.request("GET", "/metrics", { headers });
      expect(refused.status, JSON.stringify(headers)).to.equal(401);
      expect(refused.body.error.code).to.equal("UNAUTHENTICATED");
      expect(refused.headers.get("www-authenticate")).to.match(/^Bearer/);
    }
    // A user's JWT is no metrics token.
    const userToken = await system.token("u1");
    expect((await system.request("GET", "/metrics", { token: userToken })).status).to.equal(401);
    const metrics = await system.request("GET", "/metrics", {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(metrics.status).to.equal(200);
    expect(metrics.body).to.match(/^process_resident_memory_bytes\{/m);
  });

  it("serves metrics on METRICS_PORT only (404 on the public port), behind the token when both are set", async function () {
    const port = await freePort();
    const system = await startSystem({ env: { METRICS_PORT: String(port), METRICS_TOKEN: metricsToken } });
    systems.push(system);
    const publicAnswer = await system.request("GET", "/metrics", {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(publicAnswer.status).to.equal(404);
    expect(publicAnswer.body.error.code).to.equal("NOT_FOUND");

    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(metricsUrl)).status).to.equal(401);
    const answer = await fetch(metricsUrl, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    expect(await answer.text()).to.match(/^process_resident_memory_bytes\{/m);
    // Nothing else is served there.
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).to.equal(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: "POST" })).status).to.equal(404);
  });

  it("serves a node's own metrics on HEALTH_PORT when it runs no gateway, by the same token rule", async function () {
    const port = await freePort();
    const system = await startSystem({
      env: { SERVICES: "catalog", HEALTH_PORT: String(port), METRICS_TOKEN: metricsToken },
    });
    systems.push(system);
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const refused = await fetch(metricsUrl);
    expect(refused.status).to.equal(401);
    expect(refused.headers.get("www-authenticate")).to.match(/^Bearer/);
    expect(
      (await fetch(metricsUrl, { headers: { authorization: "Bearer not-the-token-at-all" } })).status,
    ).to.equal(401);
    const answer = await fetch(metricsUrl, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
    const text = await answer.text();
    expect(text).to.match(/^process_resident_memory_bytes\{/m);
    expect(text).to.match(/^moleculer_registry_nodes\{/m);
    expect(text).to.not.match(/^os_hostname|^os_network_|^process_arguments|^process_pid/m);
    expect((await fetch(metricsUrl, { method: "POST" })).status).to.equal(404);
  });

  it("closes METRICS_PORT with the node", async function () {
    const port = await freePort();
    const system = await startSystem({ env: { METRICS_PORT: String(port) } });
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).to.equal(200);
    await system.stop();
    await dropDatabase(system.databaseUrl);
    const after = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (answer) => answer.status,
      () => "refused",
    );
    expect(after).to.equal("refused");
  });
});
