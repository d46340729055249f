import { expect } from "chai";
import { buildStandaloneDocument } from "../../../gateway/openapi/standalone.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

// Every route of CONTRACT.md (v1), as "METHOD path" with OpenAPI path templates.
const contractRoutes = [
  "GET /health/live",
  "GET /health/ready",
  "GET /metrics",
  "POST /auth/token",
  "POST /admin/performers",
  "POST /admin/venues",
  "POST /admin/events",
  "PATCH /admin/events/{eventId}",
  "GET /events/{eventId}",
  "GET /events/{eventId}/tickets",
  "GET /events/{eventId}/layout", // v1.1
  "GET /events/search",
  "POST /booking/reserve",
  "POST /booking/release",
  "POST /booking/confirm",
  "GET /bookings",
  "GET /bookings/{bookingId}",
  "GET /payments/{paymentId}",
  "POST /events/{eventId}/queue",
  "GET /events/{eventId}/queue",
];

const methods = ["get", "post", "put", "patch", "delete"];

describe("GET /openapi.json", () => {
  let system: TestSystem;
  let document: any;
  before(async () => {
    system = await startSystem();
    const answer = await system.request("GET", "/openapi.json");
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("content-type")).to.match(/^application\/json/);
    document = answer.body;
  });
  after(async () => {
    await system.stop();
    await dropDatabase(system.databaseUrl);
  });

  const operations = (): { route: string; operation: any; path: string }[] =>
    Object.entries(document.paths).flatMap(([path, item]: [string, any]) =>
      methods
        .filter((method) => item[method])
        .map((method) => ({ route: `${method.toUpperCase()} ${path}`, operation: item[method], path })),
    );

  it("is an OpenAPI 3.1 document with every contract route", () => {
    expect(document.openapi).to.equal("3.1.0");
    expect(document.info.title).to.equal("Marquee");
    const documented = operations().map(({ route }) => route);
    for (const route of contractRoutes) expect(documented, route).to.include(route);
    expect(documented).to.include("DELETE /admin/events/{eventId}");
    expect(documented).to.include("GET /openapi.json");
  });

  it("is internally consistent: unique operation ids, declared path parameters, resolvable $refs", () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const { route, operation, path } of operations()) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? [])
        .filter((parameter: any) => parameter.in === "path")
        .map((parameter: any) => parameter.name);
      expect(declared, route).to.deep.equal(templated);
      expect(Object.keys(operation.responses).length, route).to.be.greaterThan(0);
    }
    const text = JSON.stringify(document);
    for (const [, reference] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = reference.split("/").reduce((node: any, key) => node?.[key], document);
      expect(target, reference).to.not.equal(undefined);
    }
  });

  it("marks authenticated routes and documents the admin body schemas that validate", () => {
    const createEvent = document.paths["/admin/events"].post;
    expect(createEvent.security).to.deep.equal([{ bearerAuth: [] }]);
    expect(createEvent.responses).to.have.property("201");
    const body = createEvent.requestBody.content["application/json"].schema;
    expect(body.additionalProperties).to.equal(false);
    expect(body.required).to.have.members(["name", "type", "venueId", "startsAt", "sections"]);
    expect(body.properties.sections.items.properties.rows.items.properties.seats).to.include({
      type: "integer",
      minimum: 1,
    });
    expect(document.paths["/events/{eventId}"].get.security).to.deep.equal([]);
  });

  it("is the document built in process (client/openapi.json, the typed client's source)", async () => {
    expect(document).to.deep.equal(await buildStandaloneDocument());
  });

  it("documents every answer: a schema per success, headers, URL-safe ids, servers, license", () => {
    expect(document.servers).to.have.length.greaterThan(0);
    expect(document.info.license).to.have.property("identifier");
    for (const { route, operation } of operations()) {
      expect(operation.operationId, route).to.match(/^[A-Za-z0-9._-]+$/);
      const [status, success] = Object.entries<any>(operation.responses).find(([code]) => code < "300")!;
      const content = Object.values<any>(success.content);
      expect(content, `${route} ${status}`).to.have.length.greaterThan(0);
      for (const { schema } of content)
        expect(Object.keys(schema), `${route} ${status}`).to.have.length.greaterThan(0);
    }
    const confirm = document.paths["/booking/confirm"].post;
    expect(Object.keys(confirm.responses)).to.include.members(["201", "402", "409"]);
    expect(confirm.responses).to.not.have.property("200");
    expect(confirm.responses["201"].headers).to.have.property("Location");
    expect(confirm.parameters).to.deep.include({ $ref: "#/components/parameters/IdempotencyKey" });
    expect(document.components.parameters.IdempotencyKey).to.include({
      name: "Idempotency-Key",
      required: true,
    });
    const reserve = document.paths["/booking/reserve"].post;
    expect(reserve.parameters).to.deep.include({ $ref: "#/components/parameters/AdmissionToken" });
    expect(document.components.responses.E429.headers).to.have.keys(
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
      "Retry-After",
    );
    const layout = document.paths["/events/{eventId}/layout"].get.responses;
    expect(layout["200"].headers).to.include.keys("ETag", "Cache-Control");
    expect(layout).to.have.property("304");
  });

  it("agrees with the live validation: documented required fields are required, closed bodies are closed", async () => {
    const admin = await system.token("admin-openapi", "admin");
    const user = await system.token("user-openapi", "user");
    let checked = 0;
    for (const { route, operation, path } of operations()) {
      const schema = operation.requestBody?.content?.["application/json"]?.schema;
      if (!schema || operation["x-marquee-available"] === false) continue;
      const url = path.replace(/\{[^}]+\}/g, "ev_unknown");
      const method = route.split(" ")[0];
      const token = path.startsWith("/admin") ? admin : user;
      const required: string[] = schema.required ?? [];
      if (required.length > 0) {
        const answer = await system.request(method, url, { token, body: {} });
        expect(answer.status, route).to.equal(400);
        const named = answer.body.error.details.problems.map((problem: any) => problem.field);
        expect(named, route).to.have.members(required);
        checked += 1;
      }
      if (schema.additionalProperties === false) {
        const answer = await system.request(method, url, { token, body: { notDocumented: 1 } });
        expect(answer.status, route).to.equal(400);
        const named = answer.body.error.details.problems.map((problem: any) => problem.field);
        expect(named, route).to.include("notDocumented");
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(5);
  });
});
