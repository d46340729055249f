// Config validated at start (issue 17): every problem listed at once, each naming its variable.
import { expect } from "chai";
import { ConfigError, loadConfig } from "../../../platform/config.ts";

const services = { serviceNames: ["api", "catalog", "booking"] };

function problemsOf(env: NodeJS.ProcessEnv, options = services): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("loadConfig accepted the configuration");
}

describe("config: every problem at once", () => {
  it("lists each wrong setting as VARIABLE: problem, in one error", () => {
    const problems = problemsOf({
      PORT: "abc",
      SERVICES: "api,nope",
      HOLD_TTL_SECONDS: "0",
      DEMO_DATA: "yes",
      LOG_FORMAT: "fancy",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://db/x",
      REDIS_URL: "not a url",
      SEARCH_BACKEND: "solr",
      REALTIME_COALESCE_MS: "999999",
      METRICS_PORT: "70000",
      NAMESPACE: "has space",
    });
    const named = problems.map((problem) => problem.split(":")[0]);
    expect(named).to.have.members([
      "PORT",
      "SERVICES",
      "HOLD_TTL_SECONDS",
      "DEMO_DATA",
      "LOG_FORMAT",
      "LOG_LEVEL",
      "DATABASE_URL",
      "REDIS_URL",
      "SEARCH_BACKEND",
      "REALTIME_COALESCE_MS",
      "METRICS_PORT",
      "NAMESPACE",
    ]);
    expect(problems).to.include('PORT: must be an integer from 0 to 65535 (got "abc")');
    expect(problems).to.include('SERVICES: unknown service "nope" (known: all, api, catalog, booking)');
    expect(problems).to.include('DEMO_DATA: must be true, false, 1 or 0 (got "yes")');
    expect(problems).to.include('LOG_FORMAT: must be one of pretty, json (got "fancy")');
  });

  it("says how many problems there are, one line each, in the message", () => {
    try {
      loadConfig({ PORT: "-1", WORKER_POOL_SIZE: "1.5" });
      expect.fail("accepted");
    } catch (error) {
      expect((error as Error).message).to.equal(
        "the configuration has 2 problems:\n" +
          '  PORT: must be an integer from 0 to 65535 (got "-1")\n' +
          '  WORKER_POOL_SIZE: must be an integer >= 1 (got "1.5")',
      );
    }
  });

  it("never shows a URL's value (a password may be in it) nor a secret's", () => {
    const problems = problemsOf({
      DATABASE_URL: "mysql://admin:hunter2@db/x",
      METRICS_TOKEN: "hunter2 with spaces in it",
    });
    expect(problems.join("\n")).to.not.include("hunter2");
    expect(problems).to.include("DATABASE_URL: must be a URL starting with postgres:// or postgresql://");
  });

  it("combines problems that depend on each other: production, dev tokens, search, metrics port", () => {
    const problems = problemsOf({
      NODE_ENV: "production",
      AUTH_DEV_TOKENS: "true",
      SEARCH_BACKEND: "elasticsearch",
      PORT: "8080",
      METRICS_PORT: "8080",
    });
    expect(problems.map((problem) => problem.split(":")[0])).to.deep.equal([
      "AUTH_SECRET",
      "AUTH_DEV_TOKENS",
      "ELASTICSEARCH_URL",
      "METRICS_PORT",
    ]);
  });

  it("reads valid settings strictly: booleans, formats, ports", () => {
    const config = loadConfig(
      {
        DEMO_DATA: "1",
        ACTOR_PARANOID_CHECKS: "false",
        LOG_FORMAT: "json",
        PORT: "0",
        SERVICES: "api, booking",
      },
      services,
    );
    expect(config).to.include({ demoData: true, actorParanoidChecks: false, logFormat: "json", port: 0 });
    expect(config.services).to.deep.equal(["api", "booking"]);
  });

  it("defaults LOG_FORMAT to pretty on a terminal and JSON elsewhere", () => {
    expect(loadConfig({}, { stdoutIsTty: true }).logFormat).to.equal("pretty");
    expect(loadConfig({}, { stdoutIsTty: false }).logFormat).to.equal("json");
    expect(loadConfig({ LOG_FORMAT: "json" }, { stdoutIsTty: true }).logFormat).to.equal("json");
  });

  it("leaves SERVICES unchecked when the known services are not given (platform/ alone)", () => {
    expect(loadConfig({ SERVICES: "anything" }).services).to.deep.equal(["anything"]);
  });
});
