import { expect } from "chai";
import { ConfigError, loadConfig } from "../../../platform/config.ts";

const production = { NODE_ENV: "production", AUTH_SECRET: "a-real-secret-of-enough-length-0123456789" };

describe("webhook settings", () => {
  it("defaults: 5 s base, 24 h window, private targets refused only in production", () => {
    const dev = loadConfig({}).webhooks;
    expect(dev).to.deep.include({ retryBaseSeconds: 5, retryWindowSeconds: 86_400, allowPrivate: false });
    expect(dev.checkTargets).to.equal(false);
    expect(loadConfig(production).webhooks.checkTargets).to.equal(true);
    expect(loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE: "true" }).webhooks.checkTargets).to.equal(
      false,
    );
  });

  it("takes a fractional base and a short window outside production", () => {
    const settings = loadConfig({
      WEBHOOK_RETRY_BASE_SECONDS: "0.05",
      WEBHOOK_RETRY_WINDOW_SECONDS: "2",
    }).webhooks;
    expect(settings).to.deep.include({ retryBaseSeconds: 0.05, retryWindowSeconds: 2 });
  });

  it("refuses what cannot be used, naming each variable", () => {
    let error: unknown;
    try {
      loadConfig({
        ...production,
        WEBHOOK_RETRY_BASE_SECONDS: "0",
        WEBHOOK_RETRY_WINDOW_SECONDS: "60",
        WEBHOOK_ALLOW_PRIVATE: "yes",
        WEBHOOK_POLL_INTERVAL_MS: "1",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const name of [
      "WEBHOOK_RETRY_BASE_SECONDS",
      "WEBHOOK_RETRY_WINDOW_SECONDS",
      "WEBHOOK_ALLOW_PRIVATE",
      "WEBHOOK_POLL_INTERVAL_MS",
    ])
      expect(problems).to.include(name);
    expect(() => loadConfig({ WEBHOOK_RETRY_BASE_SECONDS: "-1" })).to.throw(ConfigError);
    expect(() => loadConfig({ WEBHOOK_RETRY_BASE_SECONDS: "1e3" })).to.throw(ConfigError);
  });
});
