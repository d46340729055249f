// docker-compose.yml, checked offline (no Docker engine here): dclint validates the
// compose file against the Compose specification's schema and its lint rules (.dclintrc).
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serviceFactories } from "../../../services.ts";
import { loadConfig } from "../../../platform/config.ts";
import { parse } from "yaml";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const dclint = path.join(root, "node_modules/.bin/dclint");

function runDclint(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      dclint,
      [file, "--max-warnings", "0", "--color", "false"],
      { cwd: root, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: stdout + stderr });
      },
    );
  });
}

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/**
 * The programs each image has for its health check. The official nats image is FROM scratch (no
 * shell, no wget), hence its alpine variant (busybox); prom/prometheus is FROM busybox; Grafana's
 * images install curl; Elasticsearch's installs curl; Marquee's image is Node's.
 */
const imageTools: [RegExp, string[]][] = [
  [/^postgres:\d/, ["pg_isready"]],
  [/^citusdata\/citus:\d/, ["pg_isready"]], // FROM postgres (the profile `citus`)
  [/^redis:\d/, ["redis-cli"]],
  [/^nats:[\d.]+-alpine$/, ["wget"]],
  [/^docker\.elastic\.co\/elasticsearch\/elasticsearch:\d/, ["curl"]],
  [/^prom\/prometheus:/, ["wget"]],
  [/^grafana\/grafana(?:-oss)?:/, ["curl"]],
  [/^marquee:/, ["node"]],
];

/** The program a health check runs: CMD's first argument, or CMD-SHELL's first word. */
function healthProgram(test: string[]): string {
  if (test[0] === "CMD") return test[1];
  if (test[0] === "CMD-SHELL") return test[1].trim().split(/\s+/)[0];
  throw new Error(`health check test ${JSON.stringify(test)}`);
}

describe("docker-compose.yml", function () {
  this.timeout(60_000);
  let compose: string;
  let services: Record<string, Service>;
  before(async () => {
    compose = await readFile(path.join(root, "docker-compose.yml"), "utf8");
    services = parse(compose, { merge: true }).services;
  });

  it("is a valid Compose file with no lint problems", async () => {
    const result = await runDclint("docker-compose.yml");
    expect(result.code, result.output).to.equal(0);
  });

  it("fails the check when the file is not valid Compose (the check can fail)", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "marquee-compose-"));
    try {
      const broken = path.join(directory, "docker-compose.yml");
      // `healthcheck.retries` must be a number and `servces` is not a Compose key.
      await writeFile(
        broken,
        compose.replace("retries: 20", "retries: [twenty]").replace(/^services:/m, "servces:"),
      );
      const result = await runDclint(broken);
      expect(result.code).to.not.equal(0);
      expect(result.output).to.match(/invalid-schema|Validation error/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it("runs one image in roles over NATS: a gateway, two booking nodes and the indexer, each health-checked", () => {
    for (const service of [
      "postgres",
      "redis",
      "nats",
      "elasticsearch",
      "api",
      "booking-1",
      "booking-2",
      "indexer",
    ]) {
      expect(compose, service).to.match(new RegExp(`^  ${service}:$`, "m"));
    }
    expect(compose).to.include("wal_level=logical");
    expect(compose).to.match(/TRANSPORTER: nats:\/\/nats:4222/);
    expect(compose).to.match(/-js/);
    expect(compose.match(/SERVICES: booking,waiting-room/g)).to.have.length(2);
    expect(compose.match(/\/health\/ready/g)!.length).to.be.at.least(4);
    // Every service name a role starts exists (or is one a later issue adds: booking, waiting-room,
    // search, indexer).
    const roles = [...compose.matchAll(/SERVICES: ([a-z,-]+)/g)].flatMap((match) => match[1].split(","));
    const expectedLater = new Set(["booking", "waiting-room", "search", "indexer"]);
    for (const role of roles)
      expect(role in serviceFactories || expectedLater.has(role), role).to.equal(true);
  });

  it("runs production without the dev token issuer, with a required AUTH_SECRET and working health checks", () => {
    // The environment every Marquee node shares (the x-marquee-env block) passes config parsing.
    const block = /^x-marquee-env: &marquee-env\n((?: {2}.*\n)+)/m.exec(compose)![1];
    const env: Record<string, string> = {};
    for (const [, name, value] of block.matchAll(/^ {2}([A-Z_]+): (.*)$/gm))
      env[name] = value.replace(/^"|"$/g, "");
    expect(env.NODE_ENV).to.equal("production");
    expect(env).to.not.have.property("AUTH_DEV_TOKENS");
    expect(compose).to.not.match(/^\s*AUTH_DEV_TOKENS:/m);
    expect(env.AUTH_SECRET).to.match(/^\$\{AUTH_SECRET:\?.+\}$/); // compose refuses to start without it
    const config = loadConfig({ ...env, AUTH_SECRET: "a-secret-given-at-deploy-time" });
    expect(config.authDevTokens).to.equal(false);
    // The official nats image is FROM scratch (no wget): the health check needs the alpine variant.
    expect(compose).to.match(/^ {4}image: nats:[\d.]+-alpine$/m);
    expect(compose).to.match(/-m", "8222"/);
    // The api node runs the search service on Elasticsearch: it waits for it.
    const api = /^ {2}api:\n((?: {4}.*\n|\n)+?)(?=^ {2}\S)/m.exec(compose)![1];
    expect(api).to.match(/depends_on:\n(?: {6}.*\n)*? {6}elasticsearch:\n {8}condition: service_healthy/);
  });

  it("health-checks every service with a program its image has", () => {
    expect(healthProgram(["CMD-SHELL", " pg_isready -U x"])).to.equal("pg_isready");
    for (const [name, service] of Object.entries(services)) {
      expect(service.healthcheck, `${name} has a health check`).to.be.an("object");
      const image = service.image ?? "";
      const tools = imageTools.find(([pattern]) => pattern.test(image))?.[1];
      expect(tools, `${name}: the tools of ${image} are known (imageTools)`).to.be.an("array");
      expect(tools, `${name}'s health check`).to.include(healthProgram(service.healthcheck!.test));
    }
    // A Marquee node checks the port it serves health on: the gateway's PORT, else HEALTH_PORT.
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const port = service.environment!.HEALTH_PORT ?? service.environment!.PORT;
      expect(service.healthcheck!.test.join(" "), name).to.include(`http://127.0.0.1:${port}/health/ready`);
    }
  });

  it("runs an Elasticsearch the client supports (its minor version or later)", async () => {
    const lock = JSON.parse(await readFile(path.join(root, "package-lock.json"), "utf8"));
    const client = lock.packages["node_modules/@elastic/elasticsearch"].version as string;
    const server = /elasticsearch:(\d+)\.(\d+)\.\d+$/.exec(services.elasticsearch.image!)!;
    const [clientMajor, clientMinor] = client.split(".").map(Number);
    expect(Number(server[1]), "major").to.equal(clientMajor);
    expect(Number(server[2]), `server ${server[0]} for client ${client}`).to.be.at.least(clientMinor);
  });

  it("starts every Marquee node after what it uses is healthy", () => {
    const nodes = Object.entries(services).filter(([, service]) => service.build);
    expect(nodes.map(([name]) => name)).to.include.members(["api", "booking-1", "booking-2", "indexer"]);
    for (const [name, service] of nodes) {
      const environment = service.environment!;
      const roles = environment.SERVICES.split(",");
      // Every node opens Postgres and Redis (platform/runtime.ts) and joins the others over NATS.
      const needs = ["postgres", "redis", "nats"];
      if (
        environment.SEARCH_BACKEND === "elasticsearch" &&
        roles.some((role) => ["search", "indexer"].includes(role))
      )
        needs.push("elasticsearch");
      for (const dependency of needs)
        expect(service.depends_on?.[dependency]?.condition, `${name} waits for ${dependency}`).to.equal(
          "service_healthy",
        );
      // Each node's whole environment passes config validation (the secret given at deploy time).
      expect(
        () => loadConfig({ ...environment, AUTH_SECRET: "a-secret-given-at-deploy-time" }),
        name,
      ).to.not.throw();
    }
    // A dependency waited on as healthy has a health check (compose refuses to start otherwise).
    for (const [name, service] of Object.entries(services))
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services, `${name} depends on ${dependency}`).to.have.property(dependency);
        if (condition === "service_healthy")
          expect(services[dependency].healthcheck, dependency).to.be.an("object");
      }
  });
});
