// The dev token issuer never runs with NODE_ENV=production (issue 16, item 9).
import { expect } from "chai";
import { loadConfig } from "../../../platform/config.ts";
import { createTokenVerifier } from "../../../gateway/auth.ts";

const production = { NODE_ENV: "production", AUTH_SECRET: "a-real-secret-of-a-real-deployment" };

describe("config: dev tokens and NODE_ENV=production", () => {
  it("refuses AUTH_DEV_TOKENS=true (or 1) with NODE_ENV=production, naming both variables", () => {
    for (const flag of ["true", "1"])
      expect(() => loadConfig({ ...production, AUTH_DEV_TOKENS: flag }), flag).to.throw(
        /AUTH_DEV_TOKENS=true is refused with NODE_ENV=production/,
      );
  });

  it("has dev tokens off in production when the flag is unset or false, on elsewhere by default", () => {
    expect(loadConfig(production).authDevTokens).to.equal(false);
    expect(loadConfig({ ...production, AUTH_DEV_TOKENS: "false" }).authDevTokens).to.equal(false);
    expect(loadConfig({ NODE_ENV: "test" }).authDevTokens).to.equal(true);
    expect(loadConfig({ NODE_ENV: "test", AUTH_DEV_TOKENS: "false" }).authDevTokens).to.equal(false);
  });

  it("builds no token issuer from a configuration that has both however it was made", () => {
    const config = { ...loadConfig(production), authDevTokens: true };
    expect(() => createTokenVerifier(config)).to.throw(/NODE_ENV=production/);
    expect(() => createTokenVerifier(loadConfig(production))).to.not.throw();
  });
});

describe("config: the e-ticket key secret", () => {
  it("is TICKET_KEY_SECRET, else AUTH_SECRET's", () => {
    expect(loadConfig(production).ticketKeySecret).to.equal(production.AUTH_SECRET);
    expect(loadConfig({ ...production, TICKET_KEY_SECRET: "tickets-only" }).ticketKeySecret).to.equal(
      "tickets-only",
    );
  });

  it("is required in production when tokens come from a JWKS URL and AUTH_SECRET is unset", () => {
    const jwksOnly = { NODE_ENV: "production", AUTH_JWKS_URL: "https://id.example.com/jwks.json" };
    expect(() => loadConfig(jwksOnly)).to.throw(/TICKET_KEY_SECRET/);
    expect(loadConfig({ ...jwksOnly, TICKET_KEY_SECRET: "a-real-one" }).ticketKeySecret).to.equal(
      "a-real-one",
    );
  });
});

describe("config: the webhook sealing secret", () => {
  it("is WEBHOOK_SEALING_SECRET, else TICKET_KEY_SECRET's, else AUTH_SECRET's", () => {
    expect(loadConfig(production).webhooks.sealingSecret).to.equal(production.AUTH_SECRET);
    const tickets = { ...production, TICKET_KEY_SECRET: "tickets-only" };
    expect(loadConfig(tickets).webhooks.sealingSecret).to.equal("tickets-only");
    expect(
      loadConfig({ ...tickets, WEBHOOK_SEALING_SECRET: "webhooks-only" }).webhooks.sealingSecret,
    ).to.equal("webhooks-only");
  });
});
