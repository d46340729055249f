// REDIS_CLUSTER_NODES and a TRANSPORTER of several NATS servers (issue 20): read strictly, every wrong
// entry a problem naming its variable, never showing a URL (it may carry a password).
import { expect } from "chai";
import { ConfigError, loadConfig } from "../../../platform/config.ts";
import { parseHostPort } from "../../../platform/config-reader.ts";
import { natsServersMax, redisClusterSeedNodesMax } from "../../../domain/limits.ts";
import { natsOptions, transporterOption, BoundedNatsTransporter } from "../../../platform/transporter.ts";

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("loadConfig accepted the configuration");
}

describe("config: Redis Cluster nodes and NATS cluster servers", () => {
  it("reads REDIS_CLUSTER_NODES as host:port entries (names, IPv4, bracketed IPv6, spaces trimmed)", () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: "redis-a:7000, 10.0.0.2:7001,[::1]:7002" });
    expect(config.redisClusterNodes).to.deep.equal([
      { host: "redis-a", port: 7000 },
      { host: "10.0.0.2", port: 7001 },
      { host: "::1", port: 7002 },
    ]);
    expect(loadConfig({}).redisClusterNodes).to.equal(null);
    expect(loadConfig({ REDIS_CLUSTER_NODES: "" }).redisClusterNodes).to.equal(null);
  });

  it("refuses wrong entries, naming the entry", () => {
    for (const [value, problem] of [
      ["redis-a", 'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "redis-a")'],
      ["redis-a:0", 'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "redis-a:0")'],
      [
        "a:7000,b:70000",
        'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "b:70000")',
      ],
      ["a:7000,,b:7001", 'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "")'],
      [
        "redis://a:7000",
        'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "redis://a:7000")',
      ],
      ["a b:7000", 'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "a b:7000")'],
      ["[zz]:7000", 'REDIS_CLUSTER_NODES: must be host:port entries separated by commas (got "[zz]:7000")'],
      ["a:7000,a:7000", 'REDIS_CLUSTER_NODES: names "a:7000" twice'],
    ])
      expect(problemsOf({ REDIS_CLUSTER_NODES: value }), value).to.deep.equal([problem]);
    const many = Array.from({ length: redisClusterSeedNodesMax + 1 }, (_, index) => `n${index}:7000`);
    expect(problemsOf({ REDIS_CLUSTER_NODES: many.join(",") })).to.deep.equal([
      `REDIS_CLUSTER_NODES: names ${many.length} nodes, at most ${redisClusterSeedNodesMax} are allowed`,
    ]);
  });

  it("refuses a key prefix with a hash tag on a cluster (every key would share one slot)", () => {
    expect(problemsOf({ REDIS_CLUSTER_NODES: "a:7000", REDIS_KEY_PREFIX: "mq{x}:" })).to.deep.equal([
      "REDIS_KEY_PREFIX: may not contain { or } with REDIS_CLUSTER_NODES (a hash tag there puts every key in one slot)",
    ]);
    expect(loadConfig({ REDIS_KEY_PREFIX: "mq{x}:" }).redisKeyPrefix).to.equal("mq{x}:");
  });

  it("parses host:port strictly", () => {
    expect(parseHostPort("127.0.0.1:6379")).to.deep.equal({ host: "127.0.0.1", port: 6379 });
    for (const wrong of [
      "",
      ":6379",
      "host:",
      "host:-1",
      "host:6379x",
      "[::1]",
      "::1:6379",
      "h\u00e9:1",
      "a\n:1",
    ])
      expect(parseHostPort(wrong), JSON.stringify(wrong)).to.equal(null);
  });

  it("takes several NATS URLs in TRANSPORTER, each checked, none shown in a problem", () => {
    const urls = "nats://a:4222, nats://user:secret@b:4222/,nats://c:4222";
    expect(loadConfig({ TRANSPORTER: urls }).transporter).to.equal(
      "nats://a:4222,nats://user:secret@b:4222/,nats://c:4222",
    );
    const problems = problemsOf({ TRANSPORTER: "nats://a:4222,http://user:secret@b:4222" });
    expect(problems).to.deep.equal([
      "TRANSPORTER: entry 2 must be a URL nats://host:port (several separated by commas)",
    ]);
    expect(problemsOf({ TRANSPORTER: "nats://a:4222,nats://b:4222/path" })).to.have.length(1);
    expect(problemsOf({ TRANSPORTER: "nats://a:4222," })).to.have.length(1);
    const many = Array.from({ length: natsServersMax + 1 }, (_, index) => `nats://n${index}:4222`);
    expect(problemsOf({ TRANSPORTER: many.join(",") })).to.deep.equal([
      `TRANSPORTER: names ${many.length} NATS servers, at most ${natsServersMax} are allowed`,
    ]);
    // Other Moleculer transporters are passed on as they are.
    expect(loadConfig({ TRANSPORTER: "TCP" }).transporter).to.equal("TCP");
  });

  it("hands every NATS server to the client, which reconnects for ever", () => {
    const url = "nats://a:4222,nats://b:4222";
    const transporter = transporterOption(url) as unknown as { opts: Record<string, unknown> };
    expect(transporter).to.be.instanceOf(BoundedNatsTransporter);
    expect(transporter.opts).to.include(natsOptions(url));
    expect(transporter.opts.maxReconnectAttempts).to.equal(-1);
  });
});
