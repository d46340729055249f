import { expect } from "chai";
import {
  boundingBoxes,
  canonicalQueryKey,
  closestWords,
  distanceKm,
  editDistance,
  editsAllowed,
  parseSearchParams,
} from "../../../indexer/search-query.ts";
import { searchLimitDefault, searchResultWindowMax } from "../../../domain/limits.ts";

const now = Date.parse("2027-03-10T12:00:00Z");

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error: any) {
    expect(error.code).to.equal("VALIDATION_ERROR");
    return error.details.field;
  }
  throw new Error("expected a validation error");
}

describe("search query parsing", () => {
  it("defaults: no filters, from now on, 20 results", () => {
    const query = parseSearchParams({}, now);
    expect(query).to.deep.equal({
      words: [],
      locationWords: [],
      matchesNothing: false,
      type: null,
      startsFrom: new Date(now),
      startsBefore: null,
      geo: null,
      limit: searchLimitDefault,
      offset: 0,
    });
  });

  it("normalizes words of term and location, and treats empty values as not given", () => {
    const query = parseSearchParams({ term: "  Zürich's  BEST-Café ", location: "São Paulo", type: "" }, now);
    expect(query.words).to.deep.equal(["zurich", "s", "best", "cafe"]);
    expect(query.locationWords).to.deep.equal(["sao", "paulo"]);
    expect(query.type).to.equal(null);
  });

  it("a term with no searchable word matches nothing (rather than everything)", () => {
    expect(parseSearchParams({ term: "%%% '\" \\" }, now).matchesNothing).to.equal(true);
    expect(parseSearchParams({ location: "!!!" }, now).matchesNothing).to.equal(true);
    expect(parseSearchParams({ term: "a" }, now).matchesNothing).to.equal(false);
  });

  it("converts limit and offset exactly, capping both", () => {
    expect(parseSearchParams({ limit: "100", offset: "7" }, now)).to.include({ limit: 100, offset: 7 });
    expect(fieldOf(() => parseSearchParams({ limit: "101" }, now))).to.equal("limit");
    expect(fieldOf(() => parseSearchParams({ limit: "0" }, now))).to.equal("limit");
    expect(parseSearchParams({ offset: String(searchResultWindowMax - 20) }, now).offset).to.equal(9_980);
    expect(fieldOf(() => parseSearchParams({ offset: String(searchResultWindowMax - 19) }, now))).to.equal(
      "offset",
    );
  });

  it("date is one UTC day; from and to narrow it; to as a day includes the whole day", () => {
    const day = parseSearchParams({ date: "2027-06-01" }, now);
    expect(day.startsFrom.toISOString()).to.equal("2027-06-01T00:00:00.000Z");
    expect(day.startsBefore!.toISOString()).to.equal("2027-06-02T00:00:00.000Z");
    const range = parseSearchParams({ from: "2027-06-01T18:00:00Z", to: "2027-06-03" }, now);
    expect(range.startsFrom.toISOString()).to.equal("2027-06-01T18:00:00.000Z");
    expect(range.startsBefore!.toISOString()).to.equal("2027-06-04T00:00:00.000Z");
    const inclusive = parseSearchParams({ to: "2027-06-03T10:00:00+02:00" }, now);
    expect(inclusive.startsBefore!.toISOString()).to.equal("2027-06-03T08:00:00.001Z");
    expect(inclusive.startsFrom.getTime()).to.equal(now); // still no past events
    const past = parseSearchParams({ from: "2020-01-01" }, now);
    expect(past.startsFrom.toISOString()).to.equal("2020-01-01T00:00:00.000Z");
  });

  it("refuses impossible dates and reversed ranges", () => {
    expect(fieldOf(() => parseSearchParams({ date: "2027-02-29" }, now))).to.equal("date");
    expect(fieldOf(() => parseSearchParams({ from: "2027-04-31T10:00:00Z" }, now))).to.equal("from");
    expect(fieldOf(() => parseSearchParams({ from: "2027-05-02", to: "2027-05-01" }, now))).to.equal("to");
    expect(
      parseSearchParams({ from: "2027-05-01", to: "2027-05-01" }, now).startsBefore!.toISOString(),
    ).to.equal("2027-05-02T00:00:00.000Z");
  });

  it("geo: lat and lng together, default radius, bounded radius", () => {
    expect(parseSearchParams({ lat: "38.72", lng: "-9.14" }, now).geo).to.deep.equal({
      lat: 38.72,
      lng: -9.14,
      radiusKm: 50,
    });
    expect(fieldOf(() => parseSearchParams({ lat: "38.72" }, now))).to.equal("lng");
    expect(fieldOf(() => parseSearchParams({ lng: "1", radiusKm: "3" }, now))).to.equal("lat");
    expect(fieldOf(() => parseSearchParams({ lat: "0", lng: "181" }, now))).to.equal("lng");
    expect(fieldOf(() => parseSearchParams({ lat: "0", lng: "0", radiusKm: "20001" }, now))).to.equal(
      "radiusKm",
    );
    expect(fieldOf(() => parseSearchParams({ lat: "0", lng: "0", radiusKm: "0" }, now))).to.equal("radiusKm");
  });

  it("refuses non-string values (repeated or nested query parameters)", () => {
    expect(fieldOf(() => parseSearchParams({ term: ["a", "b"] as any }, now))).to.equal("term");
    expect(fieldOf(() => parseSearchParams({ limit: { x: "1" } as any }, now))).to.equal("limit");
  });

  it("a cache key ignores parameter order, empty values and word spelling, but not the window", () => {
    expect(canonicalQueryKey({ term: "Taylor  SWIFT", type: "concert", location: "" })).to.equal(
      canonicalQueryKey({ type: "concert", term: "taylor swift" }),
    );
    expect(canonicalQueryKey({ term: "a", from: "2027-01-01" })).not.to.equal(
      canonicalQueryKey({ term: "a" }),
    );
  });
});

describe("typo tolerance", () => {
  it("edits allowed grow with the word (like Elasticsearch AUTO)", () => {
    expect(["ab", "abc", "abcde", "abcdef"].map(editsAllowed)).to.deep.equal([0, 1, 1, 2]);
  });

  it("edit distance counts a swap of neighbours as one edit", () => {
    expect(editDistance("swfit", "swift")).to.equal(1);
    expect(editDistance("tayler", "taylor")).to.equal(1);
    expect(editDistance("kitten", "sitting")).to.equal(3);
    expect(editDistance("", "abc")).to.equal(3);
    expect(editDistance("same", "same")).to.equal(0);
    expect(editDistance("abcdefgh", "zyxwvuts", 2)).to.equal(3); // stops early above the maximum
  });

  it("keeps the closest candidates within the allowed edits", () => {
    const candidates = ["swift", "swan", "sweet", "swiftly", "shift", "fit"];
    expect(closestWords("swfit", candidates, 5)).to.deep.equal(["swift"]);
    expect(closestWords("tayler", ["taylor", "tyler", "trailer", "tailor", "paper"], 5)).to.deep.equal([
      "taylor",
      "tyler",
      "tailor",
      "trailer",
    ]);
    expect(closestWords("ab", ["ac"], 5)).to.deep.equal([]);
  });
});

describe("geo bounding boxes", () => {
  it("contain the circle", () => {
    for (const geo of [
      { lat: 38.7, lng: -9.1, radiusKm: 50 },
      { lat: -33.9, lng: 151.2, radiusKm: 500 },
      { lat: 64.1, lng: -21.9, radiusKm: 300 },
    ]) {
      const [box] = boundingBoxes(geo);
      // Points on the circle (every 10 degrees of bearing) fall inside the box.
      for (let bearing = 0; bearing < 360; bearing += 10) {
        const angular = geo.radiusKm / 6371.0088;
        const lat1 = (geo.lat * Math.PI) / 180;
        const theta = (bearing * Math.PI) / 180;
        const lat2 = Math.asin(
          Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(theta),
        );
        const lng2 =
          (geo.lng * Math.PI) / 180 +
          Math.atan2(
            Math.sin(theta) * Math.sin(angular) * Math.cos(lat1),
            Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
          );
        const point = { lat: (lat2 * 180) / Math.PI, lng: (lng2 * 180) / Math.PI };
        expect(distanceKm(geo.lat, geo.lng, point.lat, point.lng)).to.be.closeTo(geo.radiusKm, 0.5);
        expect(point.lat).to.be.within(box.minLat, box.maxLat);
        expect(point.lng).to.be.within(box.minLng, box.maxLng);
      }
    }
  });

  it("split at the 180th meridian and open up at the poles", () => {
    expect(boundingBoxes({ lat: -16.8, lng: 179.9, radiusKm: 100 })).to.have.length(2);
    expect(boundingBoxes({ lat: -16.8, lng: -179.9, radiusKm: 100 })).to.have.length(2);
    const [polar] = boundingBoxes({ lat: 89.5, lng: 10, radiusKm: 100 });
    expect(polar).to.include({ minLng: -180, maxLng: 180, maxLat: 90 });
  });
});
