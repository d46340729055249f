// docs/api.md covers the whole public API: every error code of the catalogue in its errors table with
// its status, every route the running server documents at GET /openapi.json, and no route or code
// that does not exist.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorCatalogue, publicErrorCodes } from "../../../domain/errors.ts";
import { dropDatabase, startSystem, type TestSystem } from "../../support/system.ts";

const page = readFileSync(fileURLToPath(new URL("../../../docs/api.md", import.meta.url)), "utf8");
const methods = ["get", "post", "put", "patch", "delete"];

/** `GET /events/{eventId}` as the page writes it: `GET /events/:eventId`. */
const asWritten = (route: string): string => route.replace(/\{([^}]+)\}/g, ":$1");

/** Rows of the page's tables that start with a status and a code: `| 409 | \`HOLD_EXPIRED\` | ...`. */
function errorRows(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const match of page.matchAll(/^\| (\d{3}) \| `([A-Z_]+)` \|/gm)) rows.set(match[2], Number(match[1]));
  return rows;
}

describe("docs/api.md covers the public API", () => {
  let system: TestSystem;
  let routes: string[];
  before(async () => {
    system = await startSystem();
    const answer = await system.request("GET", "/openapi.json");
    expect(answer.status).to.equal(200);
    routes = Object.entries(answer.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        methods.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
    );
  });
  after(async () => {
    await system?.stop();
    if (system) await dropDatabase(system.databaseUrl);
  });

  it("lists every error code of the catalogue with its status, and no other", () => {
    const rows = errorRows();
    const expected = new Map(publicErrorCodes.map((code) => [code, errorCatalogue[code].status]));
    expect(Object.fromEntries(rows)).to.deep.equal(Object.fromEntries(expected));
  });

  it("names every route of GET /openapi.json", () => {
    expect(routes.length).to.be.greaterThan(20);
    const missing = routes.filter((route) => !page.includes(asWritten(route)));
    expect(missing, "routes the page does not name").to.deep.equal([]);
  });

  it("names no route the server does not have", () => {
    const served = new Set(routes.map(asWritten));
    const named = [...page.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[^\s`?|)"\\]*)/g)].map(
      (match) => `${match[1]} ${match[2].replace(/[.,:;]+$/, "")}`,
    );
    const unknown = [...new Set(named)].filter((route) => !served.has(route));
    expect(unknown, "routes the page names that GET /openapi.json does not have").to.deep.equal([]);
  });
});
