// Property-based fuzzing of every REST route, driven by the live OpenAPI document (GET /openapi.json):
// a route added to the gateway is fuzzed without touching this file. For each operation, fast-check
// builds requests from its schema (valid-looking values, then mutations: missing, extra and ill-typed
// fields, boundary and hostile strings, malformed JSON, odd content types, forged and expired tokens,
// hostile path segments and query strings) and checks every answer:
// - a 2xx, or a contract error: `{"error": {"code", "message", "details"?}}` with the catalogue's
//   status for that code; never a 500, nothing of our internals in it;
// - a refused request wrote nothing: the database's fingerprint (row counts and versions of every
//   table) is the same before and after;
// - every request gets an answer within the timeout (the process stays up and responsive).
import http from "node:http";
import fc from "fast-check";
import { SignJWT } from "jose";
import type { Database } from "../../platform/database.ts";
import { developmentAuthSecret } from "../../platform/config.ts";
import { requestBodyBytesMax } from "../../domain/limits.ts";
import { contractErrorProblem, internals } from "./contract.ts";
import { createEventFixture } from "./catalog.ts";
import type { HttpClient } from "./system.ts";

type JsonSchema = Record<string, any>;

export interface FuzzOperation {
  method: string;
  /** OpenAPI path template, e.g. /events/{eventId}. */
  path: string;
  parameters: { name: string; in: "path" | "query"; required: boolean; schema: JsonSchema }[];
  body: JsonSchema | null;
  secured: boolean;
}

export interface FuzzRequest {
  method: string;
  /** Already percent-encoded where it should be (and deliberately not, sometimes). */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzContext {
  baseUrl: string;
  /** Tokens of real users (valid signatures) and ids that exist, so requests reach validation and beyond. */
  tokens: { user: string; otherUser: string; admin: string };
  knownIds: Record<string, string[]>;
}

export interface FuzzAnswer {
  status: number;
  text: string;
  body: unknown;
}

/** The operations of an OpenAPI document (every path and method). */
export function operationsOf(document: any): FuzzOperation[] {
  const operations: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries<any>(document.paths ?? {}))
    for (const [method, operation] of Object.entries<any>(methods)) {
      // A stream stays open on success; its refusals are tested with the real-time suite.
      if (operation["x-marquee-stream"] === true) continue;
      const body = operation.requestBody?.content?.["application/json"]?.schema ?? null;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (operation.parameters ?? []).map((parameter: any) => ({
          name: parameter.name,
          in: parameter.in,
          required: parameter.required === true,
          schema: parameter.schema ?? {},
        })),
        body,
        secured: Array.isArray(operation.security) && operation.security.length > 0,
      });
    }
  return operations;
}

// --- values ---------------------------------------------------------------------------------------

const hostileStrings = [
  "",
  " ",
  "\t",
  "null",
  "undefined",
  "0",
  "-1",
  "1e309",
  "NaN",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "prototype",
  "../../etc/passwd",
  "..",
  "%00",
  "%",
  "'; DROP TABLE tickets; --",
  "' OR '1'='1",
  "$where",
  '{"$gt": ""}',
  "<script>alert(1)</script>",
  "${7*7}",
  "{{7*7}}",
  "\u202e\u0645\u0631\u062d\u0628\u0627",
  "\ud83d\udca9\ud83d\udca9",
  "\ud800",
  "\uffff",
  "\u0000",
  "e\u0301",
  "a".repeat(129),
  "a".repeat(5_000),
  "ev_0000000000.99999999",
  "2024-02-30T10:00:00Z",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
];

const hostileValues: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  0.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  [],
  {},
  [null],
  [[[[[[[[[[]]]]]]]]]],
  { __proto__: null, constructor: { prototype: {} } },
  ...hostileStrings,
];

const anyHostile = fc.constantFrom(...hostileValues);

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (typeof schema.pattern === "string") {
    let regex: RegExp | null = null;
    try {
      regex = new RegExp(schema.pattern);
    } catch {
      regex = null;
    }
    if (regex) {
      const maxLength = schema.maxLength;
      return fc
        .stringMatching(regex, { size: "small" })
        .filter((value) => maxLength === undefined || value.length <= maxLength);
    }
  }
  if (schema.format === "date-time")
    return fc
      .date({
        min: new Date("2000-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
  return fc.string({
    minLength: schema.minLength ?? 0,
    maxLength: Math.min(schema.maxLength ?? 40, 200),
    unit: "grapheme",
  });
}

/** Values that (mostly) fit the schema; names with known ids use them now and then. */
function valueArbitrary(
  schema: JsonSchema,
  known: Record<string, string[]>,
  name = "",
  depth = 0,
): fc.Arbitrary<unknown> {
  const ids = known[name] ?? known[name.replace(/s$/, "")];
  const fitting = fittingArbitrary(schema, known, name, depth);
  if (ids && ids.length > 0 && schema.type !== "array") return fc.oneof(fc.constantFrom(...ids), fitting);
  return fitting;
}

function fittingArbitrary(
  schema: JsonSchema,
  known: Record<string, string[]>,
  name: string,
  depth: number,
): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map((item: JsonSchema) => valueArbitrary(item, known, name, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "string":
      return stringArbitrary(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e6,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "array": {
      const items = schema.items && typeof schema.items === "object" ? schema.items : {};
      const ids = known[name] ?? known[name.replace(/s$/, "")];
      const item =
        ids && ids.length > 0
          ? fc.oneof(fc.constantFrom(...ids), valueArbitrary(items, known, "", depth + 1))
          : valueArbitrary(items, known, "", depth + 1);
      return fc.array(item, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    }
    case "object": {
      if (depth > 4 || !schema.properties)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, child] of Object.entries<JsonSchema>(schema.properties))
        model[key] = valueArbitrary(child, known, key, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body built from the schema, then (most of the time) broken in one way or another. */
function bodyArbitrary(schema: JsonSchema, known: Record<string, string[]>): fc.Arbitrary<string> {
  const valid = fittingArbitrary(schema, known, "", 0) as fc.Arbitrary<Record<string, unknown>>;
  const keys = Object.keys(schema.properties ?? {});
  const mutated = fc
    .tuple(
      valid,
      fc.constantFrom("drop", "extra", "retype", "hostile", "nested"),
      fc.nat(),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyHostile),
      fc.string({ minLength: 1, maxLength: 12 }),
    )
    .map(([value, how, index, replacement, extraKey]) => {
      const body: Record<string, unknown> = { ...value };
      const present = Object.keys(body);
      const key = keys.length > 0 ? keys[index % keys.length] : extraKey;
      if (how === "drop" && present.length > 0) delete body[present[index % present.length]];
      else if (how === "extra") body[keys.includes(extraKey) ? `${extraKey}_x` : extraKey] = replacement;
      else if (how === "nested") body[key] = { [extraKey]: replacement };
      else body[key] = replacement;
      return JSON.stringify(body);
    });
  const raw = fc.oneof(
    fc.constantFrom(
      "",
      "{",
      "}",
      "null",
      "[]",
      '"a string"',
      "42",
      '{"a":1,"a":2}',
      '{"__proto__": {"admin": true}}',
      '{"constructor": {"prototype": {"admin": true}}}',
      "\ufeff{}",
      '{"a": "\\ud800"}',
      '{"a": 1e999}',
      "[".repeat(20_000) + "]".repeat(20_000),
      `{"a": "${"x".repeat(70_000)}"}`,
      "\u0000",
    ),
    fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
    fc.string({ maxLength: 200 }),
  );
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((value) => JSON.stringify(value)) },
    { weight: 5, arbitrary: mutated },
    { weight: 2, arbitrary: raw },
  );
}

// --- the request --------------------------------------------------------------------------------

const secret = new TextEncoder().encode(developmentAuthSecret);
const now = () => Math.floor(Date.now() / 1000);

/** Tokens that must all be refused with 401 (made once, they do not change between runs). */
export async function hostileTokens(): Promise<string[]> {
  const sign = (claims: Record<string, unknown>, key = secret, alg = "HS256") =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
  const expired = await sign({ sub: "fuzz-user", role: "user", exp: now() - 60 });
  const forged = await sign(
    { sub: "fuzz-user", role: "admin", exp: now() + 600 },
    new TextEncoder().encode("not-our-secret"),
  );
  const [header, payload] = expired.split(".");
  const unsignedAdmin =
    Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url") +
    "." +
    Buffer.from(JSON.stringify({ sub: "fuzz-user", role: "admin", exp: now() + 600 })).toString("base64url") +
    ".";
  const tamperedRole = `${header}.${Buffer.from(JSON.stringify({ sub: "fuzz-user", role: "admin", exp: now() + 600 })).toString("base64url")}.${expired.split(".")[2]}`;
  return [
    expired,
    forged,
    unsignedAdmin,
    tamperedRole,
    `${header}.${payload}`,
    await sign({ sub: "fuzz-user", role: "superuser", exp: now() + 600 }),
    await sign({ sub: "../../x", exp: now() + 600 }),
    await sign({ role: "admin", exp: now() + 600 }),
    await sign({ sub: "fuzz-user", role: "user" }),
  ];
}

const headerValue = fc
  .string({
    maxLength: 60,
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  })
  .map((value) => value.trim());

function headersArbitrary(
  context: FuzzContext,
  refused: string[],
  hasBody: boolean,
): fc.Arbitrary<Record<string, string>> {
  const authorization = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        `Bearer ${context.tokens.user}`,
        `Bearer ${context.tokens.admin}`,
        `Bearer ${context.tokens.otherUser}`,
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...refused.map((token) => `Bearer ${token}`)) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        headerValue.map((value) => `Bearer ${value}`),
        headerValue,
        fc.constantFrom(
          "Basic YWRtaW46YWRtaW4=",
          "Bearer",
          "bearer " + context.tokens.user,
          `Bearer ${"a".repeat(5_000)}.b.c`,
        ),
      ),
    },
  );
  const contentType = hasBody
    ? fc.oneof(
        { weight: 6, arbitrary: fc.constant("application/json") },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            undefined,
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=utf-16",
            "application/merge-patch+json",
            "application/xml",
            "APPLICATION/JSON",
            "",
          ),
        },
      )
    : fc.constant(undefined);
  return fc
    .record(
      {
        authorization,
        contentType,
        idempotencyKey: fc.option(fc.oneof(headerValue, fc.uuid(), fc.constant("k".repeat(200))), {
          nil: undefined,
        }),
        admission: fc.option(fc.oneof(headerValue, fc.constantFrom(...refused)), { nil: undefined }),
        forwardedFor: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), headerValue), { nil: undefined }),
        extra: fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    )
    .map((parts) => {
      const headers: Record<string, string> = { ...parts.extra };
      if (parts.authorization !== undefined) headers.authorization = parts.authorization;
      if (parts.contentType !== undefined) headers["content-type"] = parts.contentType;
      if (parts.idempotencyKey !== undefined) headers["idempotency-key"] = parts.idempotencyKey;
      if (parts.admission !== undefined) headers["x-admission-token"] = parts.admission;
      if (parts.forwardedFor !== undefined) headers["x-forwarded-for"] = parts.forwardedFor;
      return headers;
    });
}

/** Percent-encoding that also takes lone surrogates (as U+FFFD, what a browser would send). */
const encode = (value: string): string =>
  encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );

/** A path segment: a known id, a value of the schema, or something hostile (raw or encoded). */
function segmentArbitrary(schema: JsonSchema, ids: string[]): fc.Arbitrary<string> {
  const encoded = fc
    .oneof(
      stringArbitrary(schema),
      fc.string({ maxLength: 30, unit: "grapheme" }),
      fc.constantFrom(...hostileStrings.filter((value) => value !== "")),
    )
    .map((value) => encode(value));
  const raw = fc.constantFrom(
    "%2e%2e",
    "..",
    "%2F",
    "a%2Fb",
    "%",
    "%zz",
    "%E0%A4%A",
    "%00",
    "%C0%AE",
    ";x=1",
    "a?b",
    "a#b",
  );
  return fc.oneof(
    { weight: 3, arbitrary: ids.length > 0 ? fc.constantFrom(...ids) : encoded },
    { weight: 4, arbitrary: encoded },
    { weight: 1, arbitrary: raw },
  );
}

function queryArbitrary(operation: FuzzOperation, known: Record<string, string[]>): fc.Arbitrary<string> {
  const declared = operation.parameters.filter((parameter) => parameter.in === "query");
  const pairs = fc.array(
    fc.tuple(
      declared.length > 0
        ? fc.oneof(
            fc.constantFrom(...declared.map((parameter) => parameter.name)),
            fc.string({ minLength: 1, maxLength: 10 }),
          )
        : fc.string({ minLength: 1, maxLength: 10 }),
      fc.oneof(
        ...(declared.length > 0
          ? declared.map((parameter) => valueArbitrary(parameter.schema, known, parameter.name).map(String))
          : [fc.string()]),
        fc.constantFrom(...hostileStrings.map(String)),
      ),
    ),
    { maxLength: 4 },
  );
  const raw = fc.constantFrom(
    "a[b]=1",
    "a[__proto__][x]=1",
    "__proto__[admin]=true",
    "constructor[prototype][x]=1",
    "%",
    "a=%zz",
    "&&&",
    "=",
    "a=1&a=2&a=3",
    "limit=1e9",
    "limit=-1&offset=-1",
  );
  return fc.oneof(
    {
      weight: 3,
      arbitrary: pairs.map((list) => list.map(([key, value]) => `${encode(key)}=${encode(value)}`).join("&")),
    },
    { weight: 1, arbitrary: raw },
  );
}

export function requestArbitrary(
  operation: FuzzOperation,
  context: FuzzContext,
  refused: string[],
): fc.Arbitrary<FuzzRequest> {
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === "path");
  const segments = fc.tuple(
    ...pathParameters.map((parameter) =>
      segmentArbitrary(parameter.schema, context.knownIds[parameter.name] ?? []),
    ),
  );
  const hasBody = operation.body !== null;
  return fc
    .record({
      segments,
      query: fc.option(queryArbitrary(operation, context.knownIds), { nil: undefined, freq: 3 }),
      headers: headersArbitrary(context, refused, hasBody),
      body: hasBody
        ? bodyArbitrary(operation.body!, context.knownIds)
        : fc.option(fc.constantFrom("{}", "x", '{"a":1}'), { nil: undefined, freq: 6 }),
    })
    .map(({ segments: values, query, headers, body }) => {
      let index = 0;
      const path = operation.path.replace(/\{[^}]+\}/g, () => values[index++] as string);
      return {
        method: operation.method,
        path: query === undefined ? path : `${path}?${query}`,
        headers,
        ...(body !== undefined ? { body } : {}),
      };
    });
}

/** Sends one request as is (node:http: no client-side normalisation of the path). */
export function send(baseUrl: string, request: FuzzRequest, timeoutMs: number): Promise<FuzzAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        // Framed explicitly: Node sends a GET's body unframed, which reads as a second, malformed request.
        headers:
          request.body === undefined
            ? request.headers
            : { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) },
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        if (String(response.headers["content-type"] ?? "").startsWith("text/event-stream")) {
          // A stream (SSE) is an answer once its headers are in: do not wait for its end.
          response.destroy();
          return resolve({ status: response.statusCode ?? 0, text: "", body: null });
        }
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: response.statusCode ?? 0, text, body });
        });
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on("error", reject);
    if (request.body !== undefined) outgoing.end(request.body);
    else outgoing.end();
  });
}

const fingerprintQueries = new WeakMap<Database, Promise<string>>();

/**
 * Row counts, versions, statuses and last updates of every table but bookkeeping that runs on its own:
 * the actors' fencing rows (an actor activated by a refused reserve takes an epoch) and the search
 * index with its change feed (the indexer drains the outbox of earlier writes in the background; a
 * write to the outbox itself shows in the catalog tables whose triggers make it).
 */
export async function databaseFingerprint(db: Database): Promise<string> {
  let query = fingerprintQueries.get(db);
  if (!query) {
    query = db
      .query(
        `SELECT c.table_name, array_agg(c.column_name::text) AS columns
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
         WHERE c.table_schema = 'public' AND c.table_name <> 'event_actors' AND c.table_name NOT LIKE 'search\\_%'
         GROUP BY c.table_name ORDER BY c.table_name`,
      )
      .then(({ rows }) =>
        rows
          .map(({ table_name: table, columns }: { table_name: string; columns: string[] }) => {
            const parts = [`(SELECT count(*) FROM "${table}")`];
            if (columns.includes("version")) parts.push(`(SELECT sum(version) FROM "${table}")`);
            if (columns.includes("updated_at")) parts.push(`(SELECT max(updated_at) FROM "${table}")`);
            if (columns.includes("status"))
              parts.push(
                `(SELECT string_agg(status || ':' || n, ',' ORDER BY status) FROM (SELECT status, count(*) AS n FROM "${table}" GROUP BY status) s)`,
              );
            return `SELECT '${table}' AS t, concat_ws('/', ${parts.join(", ")}) AS c`;
          })
          .join(" UNION ALL "),
      );
    fingerprintQueries.set(db, query);
  }
  const { rows } = await db.query(await query);
  return rows.map((row) => `${row.t}=${row.c}`).join(" ");
}

export interface FuzzReport {
  operations: number;
  requests: number;
  statuses: Record<string, number>;
  /** Refused requests whose database fingerprint was compared before and after. */
  refusedChecked: number;
}

/** Statuses after which a refused request may have written: a decision taken after the money moved. */
const decidedAfterWriting = new Set(["PAYMENT_DECLINED", "PAYMENT_REFUNDED"]);

/**
 * Fuzzes every operation of the document with `runs` requests each. Throws (with fast-check's seed and
 * the shrunk request) on the first answer that breaks the contract.
 */
export async function fuzzOperations(
  operations: FuzzOperation[],
  context: FuzzContext,
  db: Database,
  options: { runs: number; seed?: number; timeoutMs?: number },
): Promise<FuzzReport> {
  const refused = await hostileTokens();
  const report: FuzzReport = { operations: operations.length, requests: 0, statuses: {}, refusedChecked: 0 };
  for (const operation of operations) {
    const name = `${operation.method} ${operation.path}`;
    await fc.assert(
      fc.asyncProperty(requestArbitrary(operation, context, refused), async (request) => {
        const before = await databaseFingerprint(db);
        let answer: FuzzAnswer;
        try {
          answer = await send(context.baseUrl, request, options.timeoutMs ?? 10_000);
        } catch (error) {
          // A body over the limit is refused without being read: the server may close while it is sent.
          const code = (error as NodeJS.ErrnoException).code;
          if (
            (request.body?.length ?? 0) > requestBodyBytesMax &&
            (code === "EPIPE" || code === "ECONNRESET")
          ) {
            report.requests++;
            report.statuses.closed = (report.statuses.closed ?? 0) + 1;
            return;
          }
          throw new Error(`${name}: no answer: ${(error as Error).message}`);
        }
        report.requests++;
        report.statuses[answer.status] = (report.statuses[answer.status] ?? 0) + 1;
        const sent = `${request.path} ${JSON.stringify(request.headers)} ${request.body ?? ""}`;
        if (answer.status >= 200 && answer.status < 300) return;
        if (answer.status === 304) return;
        const problem = contractErrorProblem(answer.status, answer.body);
        if (problem) throw new Error(`${name}: ${problem}`);
        const leak = internals.exec(answer.text);
        if (leak && !sent.toLowerCase().includes(leak[0].toLowerCase()))
          throw new Error(`${name}: the answer reveals "${leak[0]}": ${answer.text.slice(0, 300)}`);
        const code = (answer.body as { error: { code: string } }).error.code;
        if (decidedAfterWriting.has(code)) return;
        const after = await databaseFingerprint(db);
        report.refusedChecked++;
        if (after !== before)
          throw new Error(
            `${name}: refused with ${answer.status} ${code} but the database changed:\n  ${before}\n  ${after}`,
          );
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: false, interruptAfterTimeLimit: 600_000 },
    );
  }
  return report;
}

/** Ids that exist (the fuzz uses them now and then, so requests get past "not found"). */
export async function fuzzContext(system: HttpClient & { baseUrl: string }): Promise<FuzzContext> {
  const [user, otherUser, admin] = await Promise.all([
    system.token("fuzz-user"),
    system.token("fuzz-other"),
    system.token("fuzz-admin", "admin"),
  ]);
  const fixture = await createEventFixture(system, { seats: 40, rows: 2, name: "Fuzz target" });
  const spare = await createEventFixture(system, { seats: 4, name: "Fuzz spare" });
  const known: Record<string, string[]> = {
    eventId: [fixture.eventId, spare.eventId],
    ticketId: fixture.ticketIds.slice(0, 12),
    venueId: [fixture.venueId],
    performerId: [fixture.performerId],
    bookingId: [],
    paymentId: [],
  };
  // Each user holds a seat and has a booking, so object-level checks are exercised too.
  for (const [token, seats] of [
    [user, fixture.ticketIds.slice(0, 2)],
    [otherUser, fixture.ticketIds.slice(2, 4)],
  ] as const) {
    await system.request("POST", "/booking/reserve", { token, body: { ticketIds: seats } });
    const booked = await system.request("POST", "/booking/confirm", {
      token,
      body: { ticketId: seats[0], paymentDetails: { token: "tok_ok" } },
      headers: { "idempotency-key": `fuzz-setup-${seats[0]}` },
    });
    if (booked.status === 201) {
      known.bookingId.push(booked.body.booking.id);
      known.paymentId.push(booked.body.booking.paymentId);
    }
  }
  return { baseUrl: system.baseUrl, tokens: { user, otherUser, admin }, knownIds: known };
}
