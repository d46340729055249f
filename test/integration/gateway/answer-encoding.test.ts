// Compression through HTTP (contract v1.1: every JSON answer over 1 KiB is compressed when the
// request's Accept-Encoding allows it), read with node:http so the bytes on the wire are seen as sent.
import { expect } from "chai";
import { request as httpRequest } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { startSystem, dropDatabase, type TestSystem } from "../../support/system.ts";
import { createEventFixture, type EventFixture } from "../../support/catalog.ts";

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
}

function rawGet(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(new URL(path, baseUrl), { headers, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode!, headers: response.headers, bytes: Buffer.concat(chunks) }),
      );
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    request.end();
  });
}

function decoded(answer: RawAnswer): any {
  const encoding = answer.headers["content-encoding"];
  const text =
    encoding === "gzip"
      ? gunzipSync(answer.bytes)
      : encoding === "br"
        ? brotliDecompressSync(answer.bytes)
        : answer.bytes;
  return JSON.parse(text.toString("utf8"));
}

describe("compressed answers (Accept-Encoding)", () => {
  let system: TestSystem;
  let fixture: EventFixture;
  before(async () => {
    system = await startSystem();
    fixture = await createEventFixture(system, { seats: 1_500, rows: 30 });
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const paths = () => [
    `/events/${fixture.eventId}/tickets`,
    `/events/${fixture.eventId}/tickets?format=compact`,
    `/events/${fixture.eventId}`,
    `/events/${fixture.eventId}/layout`,
    "/openapi.json",
  ];

  it("a JSON answer over 1 KiB is gzipped for a client that accepts gzip and decodes to the same JSON", async () => {
    for (const path of paths()) {
      const plain = await rawGet(system.baseUrl, path);
      expect(plain.status, path).to.equal(200);
      expect(plain.headers["content-encoding"], path).to.equal(undefined);
      expect(plain.bytes.length, path).to.be.greaterThan(1024);
      const gzipped = await rawGet(system.baseUrl, path, { "accept-encoding": "gzip" });
      expect(gzipped.status, path).to.equal(200);
      expect(gzipped.headers["content-encoding"], path).to.equal("gzip");
      expect(gzipped.headers["content-type"], path).to.match(/^application\/json/);
      expect(String(gzipped.headers.vary), path).to.match(/Accept-Encoding/i);
      expect(gzipped.bytes.length, path).to.be.lessThan(plain.bytes.length);
      expect(decoded(gzipped), path).to.deep.equal(JSON.parse(plain.bytes.toString("utf8")));
    }
  });

  it("br where the client prefers it decodes to the same JSON; gzip;q=0 gets identity", async () => {
    for (const path of paths()) {
      const plain = JSON.parse((await rawGet(system.baseUrl, path)).bytes.toString("utf8"));
      const either = await rawGet(system.baseUrl, path, { "accept-encoding": "gzip, deflate, br" });
      expect(["gzip", "br"], path).to.include(either.headers["content-encoding"]);
      expect(decoded(either), path).to.deep.equal(plain);
      const refused = await rawGet(system.baseUrl, path, { "accept-encoding": "gzip;q=0, br;q=0" });
      expect(refused.headers["content-encoding"], path).to.equal(undefined);
      expect(JSON.parse(refused.bytes.toString("utf8")), path).to.deep.equal(plain);
    }
  });

  it("small answers are not compressed", async () => {
    for (const path of ["/health/live", "/events/ev_unknown/tickets", `/events/${fixture.eventId}/queue`]) {
      const answer = await rawGet(system.baseUrl, path, { "accept-encoding": "gzip, br" });
      expect(answer.headers["content-encoding"], path).to.equal(undefined);
      expect(answer.bytes.length, path).to.be.lessThan(1024);
      expect(() => JSON.parse(answer.bytes.toString("utf8")), path).to.not.throw();
    }
    const admin = await system.token("encoding-admin", "admin");
    const performer = await rawPost(system.baseUrl, "/admin/performers", admin, { name: "Small Answer" });
    expect(performer.status).to.equal(201);
    expect(performer.headers["content-encoding"]).to.equal(undefined);
    expect(JSON.parse(performer.bytes.toString("utf8")).name).to.equal("Small Answer");
  });

  it("a conditional GET of a compressed map is a 304 without Content-Encoding or body", async () => {
    const path = `/events/${fixture.eventId}/tickets?format=compact`;
    const first = await rawGet(system.baseUrl, path, { "accept-encoding": "gzip" });
    const etag = String(first.headers.etag);
    const again = await rawGet(system.baseUrl, path, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(again.status).to.equal(304);
    expect(again.bytes.length).to.equal(0);
    expect(again.headers["content-encoding"]).to.equal(undefined);
    expect(again.headers.etag).to.equal(etag);
  });
});

function rawPost(baseUrl: string, path: string, token: string, body: unknown): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const headers = {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(text)),
      authorization: `Bearer ${token}`,
      "accept-encoding": "gzip, br",
    };
    const request = httpRequest(
      new URL(path, baseUrl),
      { method: "POST", headers, timeout: 10_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode!, headers: response.headers, bytes: Buffer.concat(chunks) }),
        );
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
    request.end(text);
  });
}
