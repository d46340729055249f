// The Elasticsearch adapter against @elastic/elasticsearch-mock: the mapping, the requests it builds
// and how it reads answers. (No Elasticsearch server exists here; with ELASTICSEARCH_URL set, the
// search contract test runs end to end against a real one.)
import { expect } from "chai";
import { Client, errors } from "@elastic/elasticsearch";
import MockModule from "@elastic/elasticsearch-mock";
import {
  ElasticsearchIndex,
  bulkOperations,
  indexDefinition,
  searchRequest,
  toElasticsearchDocument,
} from "../../../indexer/elasticsearch-index.ts";
import { toSearchDocument, type SearchDocument } from "../../../indexer/search-document.ts";
import { parseSearchParams } from "../../../indexer/search-query.ts";
import { searchTotalCountMax } from "../../../domain/limits.ts";

// A CommonJS module whose typings declare a default export: at run time the import is the class.
const Mock = MockModule as unknown as typeof MockModule.default;

const now = Date.parse("2027-03-10T12:00:00Z");

function documentFor(id: string, version: number, lat: number | null = 38.7): SearchDocument {
  return toSearchDocument(
    {
      id,
      name: "Taylor Swift | The Eras Tour",
      description: "Live",
      type: "concert",
      startsAt: new Date("2027-06-01T19:00:00Z"),
      status: "active",
      venueId: "vn_1",
      venueName: "Estádio da Luz",
      city: "Lisbon",
      country: "Portugal",
      lat,
      lng: lat === null ? null : -9.1,
      performerNames: ["Taylor Swift"],
      currency: "EUR",
      timeZone: "Europe/Lisbon",
      priceFromCents: 6500,
    },
    version,
  )!;
}

function mockedIndex() {
  const mock = new Mock();
  // (The mock is typed against the CommonJS build of the transport, the client against the ESM one.)
  const client = new Client({ node: "http://localhost:9200", Connection: mock.getConnection() as any });
  return { mock, index: new ElasticsearchIndex(client, "marquee-events") };
}

const responseError = (statusCode: number, type: string) =>
  new errors.ResponseError({
    body: { error: { type } },
    statusCode,
    headers: {},
    warnings: [],
    meta: {} as any,
  } as any);

describe("Elasticsearch index: mapping and query building", () => {
  it("maps text with folding analyzers, prefixes, keywords, dates and a geo_point, strictly", () => {
    const { settings, mappings } = indexDefinition();
    expect(mappings.dynamic).to.equal("strict");
    const properties = mappings.properties as any;
    expect(properties.location).to.deep.equal({ type: "geo_point" });
    expect(properties.startsAt).to.deep.equal({ type: "date" });
    expect(properties.type).to.deep.equal({ type: "keyword" });
    expect(properties.id).to.deep.equal({ type: "keyword" });
    expect(properties.name).to.include({ type: "text", analyzer: "folding" });
    expect(properties.name.copy_to).to.include("all_text");
    expect(properties.name.fields.prefix).to.include({
      analyzer: "prefix_index",
      search_analyzer: "folding",
    });
    expect(properties.venue.properties.city.copy_to).to.have.members(["all_text", "location_text"]);
    const analysis = settings.analysis as any;
    expect(analysis.analyzer.folding.filter).to.deep.equal(["lowercase", "asciifolding"]);
    expect(analysis.filter.prefix_edges).to.include({ type: "edge_ngram", min_gram: 3 });
  });

  it("stores the contract's fields plus location, without the Postgres-only normalized text", () => {
    const stored = toElasticsearchDocument(documentFor("ev_1", 7));
    expect(stored).to.deep.equal({
      id: "ev_1",
      version: 7,
      name: "Taylor Swift | The Eras Tour",
      description: "Live",
      type: "concert",
      startsAt: "2027-06-01T19:00:00.000Z",
      venue: {
        id: "vn_1",
        name: "Estádio da Luz",
        city: "Lisbon",
        country: "Portugal",
        timeZone: "Europe/Lisbon",
      },
      performers: ["Taylor Swift"],
      currency: "EUR",
      priceFromCents: 6500,
      location: { lat: 38.7, lon: -9.1 },
    });
    expect(toElasticsearchDocument(documentFor("ev_2", 7, null))).not.to.have.property("location");
  });

  it("bulk-writes versioned upserts and deletes (external_gte: an older version never wins)", () => {
    const operations = bulkOperations("marquee-events", {
      upserts: [documentFor("ev_1", 9)],
      removals: ["ev_gone"],
      version: 9,
    }) as any[];
    expect(operations).to.have.length(3);
    expect(operations[0]).to.deep.equal({
      index: { _index: "marquee-events", _id: "ev_1", version: 9, version_type: "external_gte" },
    });
    expect(operations[1].id).to.equal("ev_1");
    expect(operations[2]).to.deep.equal({
      delete: { _index: "marquee-events", _id: "ev_gone", version: 9, version_type: "external_gte" },
    });
  });

  it("builds a fuzzy all-words query ranked by name and performers, filtered and sorted", () => {
    const query = parseSearchParams(
      {
        term: "Tayler Swfit",
        location: "Lisbon",
        type: "concert",
        from: "2027-06-01",
        to: "2027-06-30",
        lat: "38.7",
        lng: "-9.1",
        radiusKm: "25",
        limit: "10",
        offset: "20",
      },
      now,
    );
    const request = searchRequest(query) as any;
    const bool = request.query.bool;
    expect(bool.must[0].bool.should[0]).to.deep.equal({
      match: { all_text: { query: "tayler swfit", operator: "and", fuzziness: "AUTO" } },
    });
    expect(bool.must[0].bool.should[1]).to.deep.equal({
      match: { "all_text.prefix": { query: "tayler swfit", operator: "and" } },
    });
    expect(bool.should[0].multi_match.fields).to.deep.equal(["name^3", "performers^3"]);
    expect(bool.filter).to.deep.include({
      range: { startsAt: { gte: "2027-06-01T00:00:00.000Z", lt: "2027-07-01T00:00:00.000Z" } },
    });
    expect(bool.filter).to.deep.include({ term: { type: "concert" } });
    expect(bool.filter).to.deep.include({
      geo_distance: { distance: "25km", location: { lat: 38.7, lon: -9.1 } },
    });
    expect(JSON.stringify(bool.filter)).to.include('"location_text":{"query":"lisbon","operator":"and"}');
    expect(request.sort).to.deep.equal([
      { _score: { order: "desc" } },
      { startsAt: { order: "asc" } },
      { id: { order: "asc" } },
    ]);
    expect(request).to.include({ from: 20, size: 10, track_total_hits: searchTotalCountMax });
  });

  it("without a term: no scoring clause, soonest first, past events left out", () => {
    const request = searchRequest(parseSearchParams({}, now)) as any;
    expect(request.query.bool).not.to.have.property("must");
    expect(request.sort).to.deep.equal([{ startsAt: { order: "asc" } }, { id: { order: "asc" } }]);
    expect(request.query.bool.filter).to.deep.equal([
      { range: { startsAt: { gte: new Date(now).toISOString() } } },
    ]);
  });

  it("hostile terms reach Elasticsearch only as normalized words inside a match query", () => {
    const request = searchRequest(
      parseSearchParams({ term: `"}], "script": {"source": "x"} \\ %` }, now),
    ) as any;
    expect(request.query.bool.must[0].bool.should[0].match.all_text.query).to.equal("script source x");
  });
});

describe("Elasticsearch index: requests against a mocked cluster", () => {
  it("prepare creates the first index with the mapping behind the alias, once", async () => {
    const { mock, index } = mockedIndex();
    let created: any = null;
    mock.add({ method: "HEAD", path: "/_alias/marquee-events" }, () =>
      responseError(404, "aliases_not_found"),
    );
    mock.add({ method: "PUT", path: "/marquee-events-initial" }, (params: any) => {
      created = params.body;
      return { acknowledged: true };
    });
    await index.prepare();
    expect(created.aliases).to.deep.equal({ "marquee-events": {} });
    expect(created.mappings.properties.location).to.deep.equal({ type: "geo_point" });

    mock.clearAll();
    mock.add({ method: "HEAD", path: "/_alias/marquee-events" }, () => "");
    await index.prepare(); // alias exists: nothing to create (an unmocked PUT would fail)
  });

  it("writes in one bulk request, waits for visibility, tolerates stale versions and fails on real errors", async () => {
    const { mock, index } = mockedIndex();
    let body: any[] = [];
    let querystring: any = null;
    mock.add({ method: "POST", path: "/_bulk" }, (params: any) => {
      body = params.body;
      querystring = params.querystring;
      return {
        errors: true,
        items: [
          { index: { _id: "ev_1", status: 409, error: { type: "version_conflict_engine_exception" } } },
          { delete: { _id: "ev_2", status: 404, result: "not_found" } },
        ],
      };
    });
    await index.write({ upserts: [documentFor("ev_1", 3)], removals: ["ev_2"], version: 3 });
    expect(body).to.have.length(3);
    expect(querystring).to.include({ refresh: "wait_for" });

    mock.clearAll();
    mock.add({ method: "POST", path: "/_bulk" }, () => ({
      errors: true,
      items: [{ index: { _id: "ev_1", status: 400, error: { type: "mapper_parsing_exception" } } }],
    }));
    let failure: Error | null = null;
    await index.write({ upserts: [documentFor("ev_1", 4)], removals: [], version: 4 }).catch((error) => {
      failure = error;
    });
    expect(failure!.message).to.match(/mapper_parsing_exception/);
  });

  it("reads hits into the contract's results, with the total and whether it is exact", async () => {
    const { mock, index } = mockedIndex();
    let request: any = null;
    mock.add({ method: "POST", path: "/marquee-events/_search" }, (params: any) => {
      request = params.body;
      return {
        hits: {
          total: { value: searchTotalCountMax, relation: "gte" },
          hits: [
            {
              _id: "ev_1",
              _source: {
                id: "ev_1",
                name: "Taylor Swift | The Eras Tour",
                type: "concert",
                startsAt: "2027-06-01T19:00:00.000Z",
                venue: { name: "Estádio da Luz", city: "Lisbon", country: "Portugal" },
                performers: ["Taylor Swift"],
              },
            },
          ],
        },
      };
    });
    const page = await index.search(parseSearchParams({ term: "taylor" }, now));
    expect(request.track_total_hits).to.equal(searchTotalCountMax);
    expect(page).to.deep.equal({
      total: searchTotalCountMax,
      totalExact: false,
      results: [
        {
          id: "ev_1",
          name: "Taylor Swift | The Eras Tour",
          type: "concert",
          startsAt: "2027-06-01T19:00:00.000Z",
          venue: { name: "Estádio da Luz", city: "Lisbon", country: "Portugal" },
          performers: ["Taylor Swift"],
        },
      ],
    });
  });

  it("answers an empty page while the index does not exist yet", async () => {
    const { mock, index } = mockedIndex();
    mock.add({ method: "POST", path: "/marquee-events/_search" }, () =>
      responseError(404, "index_not_found_exception"),
    );
    expect(await index.search(parseSearchParams({ term: "x" }, now))).to.deep.equal({
      total: 0,
      totalExact: true,
      results: [],
    });
  });

  it("rebuilds into a new index and swaps the alias in one atomic update, then drops the old index", async () => {
    const { mock, index } = mockedIndex();
    const calls: string[] = [];
    let newIndex = "";
    let aliasActions: any[] = [];
    mock.add({ method: "PUT", path: "/:index" }, (params: any) => {
      newIndex = params.path.slice(1);
      calls.push(`create ${params.body.settings.refresh_interval}`);
      return { acknowledged: true };
    });
    mock.add({ method: "POST", path: "/_bulk" }, (params: any) => {
      calls.push(
        `bulk ${params.body.length / 2} into ${params.body[0].index._index === newIndex ? "new" : "other"}`,
      );
      return { errors: false, items: [] };
    });
    mock.add({ method: "PUT", path: "/:index/_settings" }, () => {
      calls.push("settings");
      return { acknowledged: true };
    });
    mock.add({ method: ["GET", "POST"], path: "/:index/_refresh" }, () => {
      calls.push("refresh");
      return {};
    });
    mock.add({ method: "GET", path: "/_alias/marquee-events" }, () => ({
      "marquee-events-initial": { aliases: {} },
    }));
    mock.add({ method: "POST", path: "/_aliases" }, (params: any) => {
      aliasActions = params.body.actions;
      calls.push("swap");
      return { acknowledged: true };
    });
    mock.add({ method: "DELETE", path: "/marquee-events-initial" }, () => {
      calls.push("delete old");
      return { acknowledged: true };
    });
    const rebuild = await index.beginRebuild();
    await rebuild.write([documentFor("ev_1", 5), documentFor("ev_2", 5)]);
    await rebuild.commit();
    expect(newIndex).to.match(/^marquee-events-\d+$/);
    expect(calls).to.deep.equal([
      "create -1",
      "bulk 2 into new",
      "settings",
      "refresh",
      "swap",
      "delete old",
    ]);
    expect(aliasActions).to.deep.equal([
      { remove: { index: "marquee-events-initial", alias: "marquee-events" } },
      { add: { index: newIndex, alias: "marquee-events" } },
    ]);
  });
});
