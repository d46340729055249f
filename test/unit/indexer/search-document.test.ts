import { expect } from "chai";
import {
  normalizeText,
  toSearchDocument,
  toSearchResult,
  wordsOf,
} from "../../../indexer/search-document.ts";
import {
  locationQueryText,
  termQueryText,
  venueWordsQueryText,
} from "../../../indexer/postgres-query-text.ts";
import { stagedCsvLine } from "../../../indexer/postgres-tables.ts";

const source = {
  id: "ev_1",
  name: "Beyoncé: Renaissance World-Tour",
  description: 'Doors at 18:00, "no" re-entry',
  type: "concert",
  startsAt: new Date("2027-06-01T19:00:00Z"),
  status: "active",
  venueId: "vn_1",
  venueName: "Estádio do Dragão",
  city: "Porto",
  country: "Portugal",
  lat: 41.16,
  lng: -8.58,
  performerNames: ["Beyoncé", "DJ O'Neil"],
  currency: "EUR",
  timeZone: "Europe/Lisbon",
  priceFromCents: 4500,
};

describe("search documents", () => {
  it("normalizes text the same way for documents and queries", () => {
    expect(normalizeText("  Beyoncé: RENAISSANCE — World-Tour!! ")).to.equal(
      "beyonce renaissance world tour",
    );
    expect(normalizeText("Zürich / São Paulo / Kraków")).to.equal("zurich sao paulo krakow");
    expect(normalizeText("москва 東京 AC/DC")).to.equal("москва 東京 ac dc");
    expect(normalizeText("'; DROP TABLE events; --")).to.equal("drop table events");
    expect(wordsOf("%%% ''")).to.deep.equal([]);
  });

  it("builds the document of an active event and none for a deleted one", () => {
    const document = toSearchDocument(source, 12)!;
    expect(document).to.deep.include({
      id: "ev_1",
      version: 12,
      startsAt: "2027-06-01T19:00:00.000Z",
      primaryText: "beyonce renaissance world tour beyonce dj o neil",
      venueText: "estadio do dragao porto portugal",
      descriptionText: "doors at 18 00 no re entry",
      performers: ["Beyoncé", "DJ O'Neil"],
    });
    expect(toSearchResult(document)).to.deep.equal({
      id: "ev_1",
      name: "Beyoncé: Renaissance World-Tour",
      type: "concert",
      startsAt: "2027-06-01T19:00:00.000Z",
      venue: { name: "Estádio do Dragão", city: "Porto", country: "Portugal", timeZone: "Europe/Lisbon" },
      performers: ["Beyoncé", "DJ O'Neil"],
      currency: "EUR",
      priceFromCents: 4500,
    });
    expect(toSearchDocument({ ...source, status: "deleted" }, 13)).to.equal(null);
    expect(() => toSearchDocument(source, -1)).to.throw(/version/);
  });

  it("writes CSV for COPY with quotes, commas and newlines escaped, and the hit as JSON", () => {
    const line = stagedCsvLine(
      toSearchDocument({ ...source, name: 'A "quoted", odd\nname \\ here', performerNames: ['X "Y"'] }, 1)!,
    );
    expect(line.startsWith('"ev_1",1,"2027-06-01T19:00:00.000Z","concert","vn_1",41.16,-8.58,')).to.equal(
      true,
    );
    expect(line.endsWith("\n")).to.equal(true);
    const fields = line.slice(0, -1).match(/("([^"]|"")*"|[^,]*)(,|$)/g)!;
    const result = JSON.parse(fields[10].slice(1, -1).replace(/""/g, '"'));
    expect(result.name).to.equal('A "quoted", odd\nname \\ here');
    expect(result.performers).to.deep.equal(['X "Y"']);
    const withoutPlace = stagedCsvLine(toSearchDocument({ ...source, lat: null, lng: null }, 1)!);
    expect(withoutPlace).to.contain(',"vn_1",,,"');
  });
});

describe("Postgres text queries", () => {
  it("matches known words whole, beginnings as prefixes, unknown words as their near words", () => {
    expect(
      termQueryText([
        { word: "eras", exact: true, prefix: true, alternatives: [] },
        { word: "tay", exact: false, prefix: true, alternatives: [] },
        { word: "u2", exact: true, prefix: false, alternatives: [] },
        { word: "tayler", exact: false, prefix: false, alternatives: ["taylor", "tyler"] },
        { word: "swfit", exact: false, prefix: false, alternatives: ["swift"] },
        { word: "zzzzzz", exact: false, prefix: false, alternatives: [] },
      ]),
    ).to.equal("'eras' & 'tay':* & 'u2' & ('tayler' | 'taylor' | 'tyler') & ('swfit' | 'swift') & 'zzzzzz'");
    expect(locationQueryText(["new", "york", "ny"])).to.equal("'new':* & 'york':* & 'ny'");
    expect(
      venueWordsQueryText([
        { word: "paris", exact: true, prefix: true, alternatives: [] },
        { word: "fra", exact: false, prefix: true, alternatives: [] },
        { word: "xyz", exact: false, prefix: false, alternatives: ["xyy"] },
      ]),
    ).to.equal("'paris':B & 'fra':*B & 'xyz':B");
  });

  it("refuses anything but letters and digits in a query word (no tsquery syntax can slip in)", () => {
    expect(() => termQueryText([{ word: "a'|b", exact: true, prefix: false, alternatives: [] }])).to.throw();
    expect(() => locationQueryText(["x:*"])).to.throw();
  });
});
