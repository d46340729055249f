// Webhook registration refuses bad input with the contract's errors and writes nothing; with
// NODE_ENV=production, private, loopback and link-local targets are refused (at registration and,
// for a target that became private later, at delivery) unless WEBHOOK_ALLOW_PRIVATE=true.
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startSystem, dropDatabase, type HttpClient, type TestSystem } from "../../support/system.ts";
import { createTokenVerifier } from "../../../gateway/auth.ts";
import { createEventFixture } from "../../support/catalog.ts";
import { eventually } from "../../support/eventually.ts";
import { startReceiver } from "../../support/webhook-receiver.ts";

async function count(databaseUrl: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
  } finally {
    await client.end();
  }
}

describe("webhook input", function () {
  this.timeout(30_000);

  describe("validation", () => {
    let system: TestSystem;
    let admin: string;
    before(async () => {
      system = await startSystem();
      admin = await system.token("webhook-admin", "admin");
    });
    after(async () => {
      await system.stop();
      await dropDatabase(system.databaseUrl);
    });

    const good = { url: "https://hooks.example.com/marquee", events: ["booking.confirmed"] };
    const cases: [string, unknown, string][] = [
      ["no url", { events: ["booking.confirmed"] }, "url"],
      ["no events", { url: good.url }, "events"],
      ["empty events", { ...good, events: [] }, "events"],
      ["an unknown event type", { ...good, events: ["booking.created"] }, "events[0]"],
      ["a repeated event type", { ...good, events: ["booking.confirmed", "booking.confirmed"] }, "events"],
      ["an event type that is not a string", { ...good, events: [1] }, "events[0]"],
      ["a null description", { ...good, description: null }, "description"],
      ["an empty description", { ...good, description: "" }, "description"],
      ["an extra field", { ...good, secret: "mine" }, "secret"],
      ["an ftp url", { ...good, url: "ftp://hooks.example.com/x" }, "url"],
      ["a javascript: url", { ...good, url: "javascript:alert(1)" }, "url"],
      ["a relative url", { ...good, url: "/hooks" }, "url"],
      ["a url with a space", { ...good, url: "https://hooks.example.com/a b" }, "url"],
      ["a url with a leading space", { ...good, url: " https://hooks.example.com/" }, "url"],
      ["a url too long", { ...good, url: `https://hooks.example.com/${"a".repeat(2_048)}` }, "url"],
      ["a url that is not a string", { ...good, url: 42 }, "url"],
    ];
    for (const [name, body, field] of cases)
      it(`refuses ${name} with 400 naming ${field}, writing nothing`, async () => {
        const answer = await system.request("POST", "/admin/webhooks", { token: admin, body });
        expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
        expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
        expect(answer.body.error.details.field).to.equal(field);
        expect(await count(system.databaseUrl, "webhooks")).to.equal(0);
      });

    it("refuses users and anonymous callers, and bad paging", async () => {
      const user = await system.token("someone");
      expect((await system.request("POST", "/admin/webhooks", { token: user, body: good })).status).to.equal(
        403,
      );
      expect((await system.request("GET", "/admin/webhooks")).status).to.equal(401);
      const created = await system.request("POST", "/admin/webhooks", { token: admin, body: good });
      expect(created.status).to.equal(201);
      const path = `/admin/webhooks/${created.body.id}/deliveries`;
      for (const query of ["?limit=0", "?limit=201", "?limit=x", "?cursor=abc", "?other=1"]) {
        const answer = await system.request("GET", path + query, { token: admin });
        expect(answer.status, query).to.equal(400);
        expect(answer.body.error.code).to.equal("VALIDATION_ERROR");
      }
      const page = await system.request("GET", `${path}?limit=200`, { token: admin });
      expect(page.body).to.deep.equal({ deliveries: [], nextCursor: null });
      expect(
        (await system.request("GET", "/admin/webhooks/wh_nope/deliveries", { token: admin })).status,
      ).to.equal(404);
    });

    it("pages the delivery history newest first", async () => {
      const receiver = await startReceiver();
      try {
        const created = await system.request("POST", "/admin/webhooks", {
          token: admin,
          body: { url: receiver.url, events: ["booking.confirmed"] },
        });
        const client = new pg.Client({ connectionString: system.databaseUrl });
        await client.connect();
        // Five bookings' events straight from the outbox function (what a trigger calls).
        for (let i = 0; i < 5; i++)
          await client.query(
            "SELECT webhook_emit('booking.confirmed', jsonb_build_array(jsonb_build_object('n', $1::int)))",
            [i],
          );
        await client.end();
        const path = `/admin/webhooks/${created.body.id}/deliveries`;
        const first = await system.request("GET", `${path}?limit=2`, { token: admin });
        const second = await system.request("GET", `${path}?limit=2&cursor=${first.body.nextCursor}`, {
          token: admin,
        });
        const third = await system.request("GET", `${path}?limit=2&cursor=${second.body.nextCursor}`, {
          token: admin,
        });
        expect(third.body.nextCursor).to.equal(null);
        const ids = [...first.body.deliveries, ...second.body.deliveries, ...third.body.deliveries].map(
          (d) => d.id,
        );
        expect(ids).to.have.length(5);
        expect(new Set(ids).size).to.equal(5);
        await eventually(async () => (receiver.acknowledged().size === 5 ? true : undefined));
        const sent = receiver.received.map((d) => d.body.data.n);
        expect([...sent].sort()).to.deep.equal([0, 1, 2, 3, 4]);
        // Newest first: the last emitted is the first listed.
        const byId = new Map(receiver.received.map((d) => [d.body.id, d.body.data.n]));
        expect(ids.map((id) => byId.get(id))).to.deep.equal([4, 3, 2, 1, 0]);
      } finally {
        await receiver.close();
      }
    });
  });

  describe("private targets in production", () => {
    const secret = randomBytes(32).toString("hex");
    const production = {
      NODE_ENV: "production",
      AUTH_SECRET: secret,
      WEBHOOK_POLL_INTERVAL_MS: "20",
      LOG_LEVEL: "warn",
    };

    async function productionSystem(env: Record<string, string> = {}) {
      const system = await startSystem({ env: { ...production, ...env } });
      const tokens = createTokenVerifier(system.config);
      const admin = await tokens.issue({ id: "prod-admin", role: "admin" }, 600);
      // Dev tokens are off in production: tokens are signed with AUTH_SECRET, as an identity provider would.
      const client: HttpClient = {
        request: system.request,
        token: (id, role = "user") => tokens.issue({ id, role }, 600),
      };
      return { system, admin, client };
    }

    const privateTargets = [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook",
      "http://10.1.2.3/hook",
      "http://172.16.0.1/hook",
      "http://192.168.1.10/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/hook",
      "http://0.0.0.0/hook",
      "http://2130706433/hook", // 127.0.0.1 as one number
      "http://0x7f.1/hook",
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://[::ffff:a9fe:a9fe]/hook", // 169.254.169.254, IPv4-mapped
      "http://[fe80::1]/hook",
      "http://[fd00::1]/hook",
      "http://[64:ff9b::a00:1]/hook", // NAT64 of 10.0.0.1
    ];

    it("refuses private, loopback and link-local targets with 400 and accepts public ones", async () => {
      const { system, admin } = await productionSystem();
      try {
        for (const url of privateTargets) {
          const answer = await system.request("POST", "/admin/webhooks", {
            token: admin,
            body: { url, events: ["booking.confirmed"] },
          });
          expect(answer.status, url).to.equal(400);
          expect(answer.body.error).to.deep.include({ code: "VALIDATION_ERROR" });
          expect(answer.body.error.details.field).to.equal("url");
        }
        expect(await count(system.databaseUrl, "webhooks")).to.equal(0);
        const publicTarget = await system.request("POST", "/admin/webhooks", {
          token: admin,
          body: { url: "https://93.184.215.14/hook", events: ["booking.confirmed"] },
        });
        expect(publicTarget.status).to.equal(201);
      } finally {
        await system.stop();
        await dropDatabase(system.databaseUrl);
      }
    });

    it("accepts them with WEBHOOK_ALLOW_PRIVATE=true", async () => {
      const { system, admin } = await productionSystem({ WEBHOOK_ALLOW_PRIVATE: "true" });
      try {
        const answer = await system.request("POST", "/admin/webhooks", {
          token: admin,
          body: { url: "http://127.0.0.1:8080/hook", events: ["booking.confirmed"] },
        });
        expect(answer.status).to.equal(201);
      } finally {
        await system.stop();
        await dropDatabase(system.databaseUrl);
      }
    });

    it("checks again at delivery: a target that is private by then gets nothing", async () => {
      const receiver = await startReceiver();
      const { system, client: http } = await productionSystem();
      const client = new pg.Client({ connectionString: system.databaseUrl });
      try {
        await client.connect();
        // As if its host had resolved to a public address at registration and to 127.0.0.1 now.
        await client.query(
          "INSERT INTO webhooks (id, url, events, secret) VALUES ('wh_rebound', $1, ARRAY['booking.confirmed'], 'whsec_test')",
          [receiver.url],
        );
        await client.query(
          "INSERT INTO webhooks (id, url, events, secret) VALUES ('wh_renamed', $1, ARRAY['booking.confirmed'], 'whsec_test')",
          [receiver.url.replace("127.0.0.1", "localhost")],
        );
        const event = await createEventFixture(http, { seats: 1 });
        const user = await http.token("prod-buyer");
        await system.request("POST", "/booking/reserve", {
          token: user,
          body: { ticketIds: event.ticketIds },
        });
        const confirmed = await system.request("POST", "/booking/confirm", {
          token: user,
          body: { ticketIds: event.ticketIds, paymentDetails: { token: "tok_ok" } },
          headers: { "idempotency-key": "webhook-private-0001" },
        });
        expect(confirmed.status).to.equal(201);
        const rows = await eventually(async () => {
          const { rows } = await client.query(
            "SELECT webhook_id, attempts, last_error, status FROM webhook_deliveries WHERE last_error IS NOT NULL ORDER BY webhook_id",
          );
          return rows.length === 2 ? rows : undefined;
        });
        expect(rows.map((row) => row.status)).to.deep.equal(["pending", "pending"]);
        for (const row of rows) expect(row.last_error).to.match(/private or local/);
        expect(receiver.received).to.have.length(0);
      } finally {
        await client.end();
        await system.stop();
        await receiver.close();
        await dropDatabase(system.databaseUrl);
      }
    });
  });
});
