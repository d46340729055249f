// Random requests of one operation for the property-based fuzz (fast-check): path segments, query
// strings, headers (forged and expired tokens among them) and bodies from the operation's schemas.
import fc from "fast-check";
import { SignJWT } from "jose";
import { developmentAuthSecret } from "../../../platform/config.ts";
import type { FuzzContext } from "./context.ts";
import type { FuzzRequest } from "./http.ts";
import type { FuzzOperation } from "./operations.ts";
import { bodyArbitrary, hostileStrings, stringArbitrary, valueArbitrary } from "./random-values.ts";
import type { JsonSchema } from "./schema-values.ts";

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
export const encode = (value: string): string =>
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
