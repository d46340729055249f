// Every contract error that applies so far, answered exactly as CONTRACT.md says, with nothing written.
import { expect } from "chai";
import net from "node:net";
import { SignJWT } from "jose";
import { developmentAuthSecret } from "../../../platform/config.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";
import { internals } from "../../support/contract.ts";

type Answer = { status: number; body: any; headers: Headers };

const tables = ["performers", "venues", "events", "event_performers", "tickets", "event_actors"];

describe("contract errors", () => {
  let system: TestSystem;
  let admin: string;
  let user: string;
  let venueId: string;
  let eventId: string;
  const answers: Answer[] = [];

  const secret = new TextEncoder().encode(developmentAuthSecret);
  const signed = (claims: Record<string, unknown>, key: Uint8Array = secret, expiresIn = "1h") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setExpirationTime(expiresIn)
      .sign(key);

  async function request(method: string, path: string, options: Parameters<TestSystem["request"]>[2] = {}) {
    const answer = await system.request(method, path, options);
    answers.push(answer);
    return answer;
  }

  async function counts(): Promise<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await system.node.runtime.db.query(`SELECT count(*)::int AS n FROM ${table}`);
      result[table] = rows[0].n;
    }
    return result;
  }

  /** The exact error shape: {"error": {"code", "message", "details"?}} and nothing else. */
  function expectError(answer: Answer, status: number, code: string, field?: string): void {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.headers.get("content-type")).to.match(/^application\/json/);
    expect(Object.keys(answer.body)).to.deep.equal(["error"]);
    const error = answer.body.error;
    expect(Object.keys(error).filter((key) => key !== "details")).to.deep.equal(["code", "message"]);
    expect(error.code).to.equal(code);
    expect(error.message).to.be.a("string").and.have.length.greaterThan(0);
    if (error.details !== undefined) expect(error.details).to.be.an("object");
    if (field !== undefined) {
      const named = [error.details?.field, ...(error.details?.problems ?? []).map((p: any) => p.field)];
      expect(named, JSON.stringify(error)).to.include(field);
    }
  }

  /** Runs `attempt` and checks that no table changed. */
  async function nothingWritten(attempt: () => Promise<void>): Promise<void> {
    const before = await counts();
    await attempt();
    expect(await counts()).to.deep.equal(before);
  }

  const eventBody = (overrides: Record<string, unknown> = {}) => ({
    name: "Valid Show",
    type: "concert",
    venueId,
    startsAt: "2027-06-01T19:00:00Z",
    onSaleAt: "2027-01-10T10:00:00Z",
    sections: [{ name: "Floor", priceCents: 5000, rows: [{ label: "1", seats: 10 }] }],
    ...overrides,
  });

  before(async () => {
    system = await startSystem();
    admin = await system.token("admin-errors", "admin");
    user = await system.token("user-errors", "user");
    const venue = await request("POST", "/admin/venues", {
      token: admin,
      body: { name: "Hall", city: "Porto", country: "Portugal" },
    });
    venueId = venue.body.id;
    const event = await request("POST", "/admin/events", { token: admin, body: eventBody() });
    expect(event.status).to.equal(201);
    eventId = event.body.event.id;
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  describe("400 VALIDATION_ERROR, naming the field", () => {
    it("malformed JSON", () =>
      nothingWritten(async () => {
        const answer = await request("POST", "/admin/performers", { token: admin, body: '{"name": "x",' });
        expectError(answer, 400, "VALIDATION_ERROR", "body");
      }));

    it("a body that is not a JSON object", () =>
      nothingWritten(async () => {
        for (const body of ["[1, 2]", '"text"', "42", "null"]) {
          expectError(
            await request("POST", "/admin/performers", { token: admin, body }),
            400,
            "VALIDATION_ERROR",
            "body",
          );
        }
      }));

    it("missing field", () =>
      nothingWritten(async () => {
        const answer = await request("POST", "/admin/performers", { token: admin, body: { genre: "jazz" } });
        expectError(answer, 400, "VALIDATION_ERROR", "name");
      }));

    it("extra field, at the top and nested", () =>
      nothingWritten(async () => {
        expectError(
          await request("POST", "/admin/performers", { token: admin, body: { name: "A", stageName: "B" } }),
          400,
          "VALIDATION_ERROR",
          "stageName",
        );
        const nested = eventBody({
          sections: [{ name: "Floor", priceCents: 5000, rows: [{ label: "1", seats: 10, vip: true }] }],
        });
        expectError(
          await request("POST", "/admin/events", { token: admin, body: nested }),
          400,
          "VALIDATION_ERROR",
          "sections[0].rows[0].vip",
        );
        expectError(
          await request("POST", "/admin/performers", {
            token: admin,
            body: '{"name": "A", "__proto__": {"genre": "x"}}',
          }),
          400,
          "VALIDATION_ERROR",
          "__proto__",
        );
      }));

    it("ill-typed fields", () =>
      nothingWritten(async () => {
        expectError(
          await request("POST", "/admin/performers", { token: admin, body: { name: 42 } }),
          400,
          "VALIDATION_ERROR",
          "name",
        );
        expectError(
          await request("POST", "/admin/venues", {
            token: admin,
            body: { name: "V", city: "C", country: "D", lat: "38.7", lng: -9.1 },
          }),
          400,
          "VALIDATION_ERROR",
          "lat",
        );
        expectError(
          await request("POST", "/admin/events", {
            token: admin,
            body: eventBody({
              sections: [{ name: "Floor", priceCents: 10.5, rows: [{ label: "1", seats: 1 }] }],
            }),
          }),
          400,
          "VALIDATION_ERROR",
          "sections[0].priceCents",
        );
        expectError(
          await request("PATCH", `/admin/events/${eventId}`, {
            token: admin,
            body: { waitingRoom: { enabled: "yes" } },
          }),
          400,
          "VALIDATION_ERROR",
          "waitingRoom.enabled",
        );
      }));

    it("values out of range or inconsistent", () =>
      nothingWritten(async () => {
        const cases: [Record<string, unknown>, string][] = [
          [{ startsAt: "2027-02-30T19:00:00Z" }, "startsAt"],
          [{ startsAt: "tomorrow" }, "startsAt"],
          [{ onSaleAt: "2027-07-01T00:00:00Z" }, "onSaleAt"], // after startsAt
          [{ venueId: "vn_does_not_exist" }, "venueId"],
          [{ performerIds: ["pf_does_not_exist"] }, "performerIds"],
          [{ type: "Not A Type" }, "type"],
          [{ name: "" }, "name"],
          [{ name: "a\u0000b" }, "name"],
          [{ sections: [] }, "sections"],
          [
            {
              sections: [
                {
                  name: "Floor",
                  priceCents: 1,
                  rows: [
                    { label: "1", seats: 2 },
                    { label: "1", seats: 2 },
                  ],
                },
              ],
            },
            "sections[0].rows[1].label",
          ],
          [
            // 250 rows of 1,000 seats: over the 200,000-ticket limit, in a small body.
            {
              sections: [
                {
                  name: "Huge",
                  priceCents: 1,
                  rows: Array.from({ length: 250 }, (_, index) => ({ label: String(index), seats: 1000 })),
                },
              ],
            },
            "sections",
          ],
        ];
        for (const [overrides, field] of cases) {
          const answer = await request("POST", "/admin/events", { token: admin, body: eventBody(overrides) });
          expectError(answer, 400, "VALIDATION_ERROR", field);
        }
      }));

    it("bad query parameter and bad path parameter", () =>
      nothingWritten(async () => {
        expectError(await request("GET", `/events/${eventId}?expand=all`), 400, "VALIDATION_ERROR", "expand");
        expectError(await request("GET", `/events/${eventId}/tickets?x=%00`), 400, "VALIDATION_ERROR");
        expectError(await request("GET", "/events/not%20an%20id"), 400, "VALIDATION_ERROR", "eventId");
        // Writes take their fields from the body only.
        expectError(
          await request("PATCH", `/admin/events/${eventId}?name=sneaky`, { token: admin, body: {} }),
          400,
          "VALIDATION_ERROR",
          "name",
        );
        expectError(
          await request("POST", "/admin/performers?genre=x", { token: admin, body: { name: "Q" } }),
          400,
          "VALIDATION_ERROR",
          "genre",
        );
      }));
  });

  describe("401 UNAUTHENTICATED", () => {
    const cases: [string, () => Promise<string | undefined>][] = [
      ["no Authorization header", async () => undefined],
      ["not a bearer token", async () => "Basic YWRtaW46YWRtaW4="],
      ["garbage", async () => "Bearer not-a-jwt"],
      ["garbage in three parts", async () => "Bearer aaa.bbb.ccc"],
      ["expired", async () => `Bearer ${await signed({ sub: "a1", role: "admin" }, secret, "-1m")}`],
      [
        "wrong signature",
        async () =>
          `Bearer ${await signed({ sub: "a1", role: "admin" }, new TextEncoder().encode("another-secret"))}`,
      ],
      [
        "alg none",
        async () => {
          const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
          const exp = Math.floor(Date.now() / 1000) + 3600;
          return `Bearer ${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: "a1", role: "admin", exp })}.`;
        },
      ],
      ["missing sub", async () => `Bearer ${await signed({ role: "admin" })}`],
      ["bad role", async () => `Bearer ${await signed({ sub: "a1", role: "superuser" })}`],
      ["sub that is not a user id", async () => `Bearer ${await signed({ sub: "a b/c", role: "admin" })}`],
      [
        "missing exp",
        async () =>
          `Bearer ${await new SignJWT({ sub: "a1", role: "admin" }).setProtectedHeader({ alg: "HS256" }).sign(secret)}`,
      ],
    ];
    for (const [name, authorization] of cases) {
      it(name, () =>
        nothingWritten(async () => {
          const header = await authorization();
          const answer = await request("POST", "/admin/performers", {
            body: { name: "Should Not Exist" },
            headers: header === undefined ? {} : { authorization: header },
          });
          expectError(answer, 401, "UNAUTHENTICATED");
        }),
      );
    }

    it("a valid token made the same way is accepted (the cases above fail for their reason)", async () => {
      const answer = await request("POST", "/admin/performers", {
        body: { name: "Made With A Hand-Signed Token" },
        headers: { authorization: `Bearer ${await signed({ sub: "a1", role: "admin" })}` },
      });
      expect(answer.status).to.equal(201);
    });
  });

  describe("403 FORBIDDEN", () => {
    it("a user token on every admin route", () =>
      nothingWritten(async () => {
        for (const [method, path, body] of [
          ["POST", "/admin/performers", { name: "X" }],
          ["POST", "/admin/venues", { name: "X", city: "Y", country: "Z" }],
          ["POST", "/admin/events", eventBody()],
          ["PATCH", `/admin/events/${eventId}`, { name: "Renamed" }],
          ["DELETE", `/admin/events/${eventId}`, undefined],
        ] as const) {
          expectError(await request(method, path, { token: user, body }), 403, "FORBIDDEN");
        }
        expect((await request("GET", `/events/${eventId}`)).body.event.name).to.equal("Valid Show");
      }));
  });

  describe("404 NOT_FOUND", () => {
    it("unknown event on reads and admin writes, unknown routes and methods", () =>
      nothingWritten(async () => {
        expectError(await request("GET", "/events/ev_unknown"), 404, "NOT_FOUND");
        expectError(await request("GET", "/events/ev_unknown/tickets"), 404, "NOT_FOUND");
        expectError(
          await request("PATCH", "/admin/events/ev_unknown", { token: admin, body: { name: "X" } }),
          404,
          "NOT_FOUND",
        );
        expectError(await request("DELETE", "/admin/events/ev_unknown", { token: admin }), 404, "NOT_FOUND");
        expectError(await request("GET", "/no/such/route"), 404, "NOT_FOUND");
        expectError(await request("PUT", `/events/${eventId}`, { body: {} }), 404, "NOT_FOUND");
        expectError(await request("PUT", "/admin/performers", { token: admin, body: {} }), 404, "NOT_FOUND");
        expectError(await request("GET", "/admin/performers/pf_unknown", { token: admin }), 404, "NOT_FOUND");
        expectError(
          await request("GET", "/admin/events/ev_unknown/sales", { token: admin }),
          404,
          "NOT_FOUND",
        );
      }));
  });

  describe("413 PAYLOAD_TOO_LARGE", () => {
    it("a body over 64 KiB, declared or streamed without a length", () =>
      nothingWritten(async () => {
        const body = { name: "Big", genre: "x".repeat(70 * 1024) };
        expectError(
          await request("POST", "/admin/performers", { token: admin, body }),
          413,
          "PAYLOAD_TOO_LARGE",
        );
        const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 8) return controller.close();
            sent += 1;
            controller.enqueue(chunk);
          },
        });
        const response = await fetch(`${system.baseUrl}/admin/performers`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
          body: stream,
          duplex: "half",
        } as RequestInit);
        const answer = { status: response.status, body: await response.json(), headers: response.headers };
        answers.push(answer);
        expectError(answer, 413, "PAYLOAD_TOO_LARGE");
      }));

    it("a body just under the limit is read", async () => {
      const answer = await request("POST", "/admin/events", {
        token: admin,
        body: eventBody({ description: "d".repeat(5000), name: "n".repeat(200) }),
      });
      expect(answer.status).to.equal(201);
    });
  });

  describe("415 UNSUPPORTED_MEDIA_TYPE", () => {
    it("a body that is not JSON", () =>
      nothingWritten(async () => {
        for (const type of [
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
        ]) {
          const answer = await request("POST", "/admin/performers", {
            token: admin,
            body: "name=Someone",
            headers: { "content-type": type },
          });
          expectError(answer, 415, "UNSUPPORTED_MEDIA_TYPE");
        }
      }));

    it("JSON with a charset parameter is JSON", async () => {
      const json = await request("POST", "/admin/performers", {
        token: admin,
        body: JSON.stringify({ name: "Charset Is Fine" }),
        headers: { "content-type": "application/json; charset=utf-8" },
      });
      expect(json.status).to.equal(201);
    });
  });

  describe("requests that are not valid HTTP", () => {
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(new URL(system.baseUrl).port), "127.0.0.1");
        let received = "";
        socket.on("data", (chunk) => (received += chunk));
        socket.on("end", () => resolve(received));
        socket.on("error", reject);
        socket.write(text);
      });

    it("get the contract's error body too, and the connection closes", async () => {
      const malformed = await raw("GET /events/x HTTP/1.1\r\nHost: x\r\nNot a header line\r\n\r\n");
      expect(malformed).to.match(/^HTTP\/1\.1 400 /);
      const body = JSON.parse(malformed.slice(malformed.indexOf("\r\n\r\n") + 4));
      expect(body).to.deep.equal({ error: { code: "VALIDATION_ERROR", message: "Malformed HTTP request" } });
      const huge = await raw(`GET /events/x HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
      expect(huge).to.match(/^HTTP\/1\.1 431 /);
      expect(huge).to.include('"code":"HEADERS_TOO_LARGE"');
    });

    it("an oversized body is answered 413 and the connection is closed, not read to the end", async () => {
      const head =
        "POST /admin/performers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        `Authorization: Bearer ${admin}\r\nContent-Length: 100000000\r\n\r\n{"name": "`;
      const answer = await raw(head + "x".repeat(1000));
      expect(answer).to.match(/^HTTP\/1\.1 413 /);
      expect(answer.toLowerCase()).to.include("connection: close");
    });
  });

  // Last (mocha runs a suite's own tests before its nested suites): checks every answer above.
  describe("what answers reveal", () => {
    it("no answer carries a stack trace, SQL, or a host name", () => {
      expect(answers.length).to.be.greaterThan(40);
      for (const answer of answers) {
        const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        expect(text, text).to.not.match(internals);
      }
    });
  });
});
