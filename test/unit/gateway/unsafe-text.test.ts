// Unsafe text in a request: lone surrogates, NUL and `__proto__` anywhere in a JSON body (values and
// keys, at any depth), too deep a body, and query strings that do not decode as UTF-8.
import { expect } from "chai";
import { findUnsafeText, queryEncodingProblem } from "../../../gateway/unsafe-text.ts";
import { jsonDepthMax } from "../../../domain/limits.ts";

const fieldOf = (value: unknown): string | null => {
  const refusal = findUnsafeText(value);
  if (!refusal) return null;
  expect(refusal.code).to.equal("VALIDATION_ERROR");
  return String(refusal.details?.field);
};

describe("unsafe text (gateway/unsafe-text.ts)", function () {
  it("names the first string that is not well-formed Unicode, at any depth", function () {
    // As a client sends it: the JSON escape of a lone surrogate.
    expect(fieldOf(JSON.parse('{"name": "Bad \\ud800 name"}'))).to.equal("name");
    expect(fieldOf(JSON.parse('{"name": "\\udfff"}'))).to.equal("name");
    const nested = JSON.parse('{"sections": [{"name": "A", "rows": [{"label": "x\\udc00"}]}]}');
    expect(fieldOf(nested)).to.equal("sections[0].rows[0].label");
    expect(fieldOf({ ids: ["ok", "\ud800"] })).to.equal("ids[1]");
  });

  it("checks keys too", function () {
    expect(fieldOf(JSON.parse('{"a": {"\\ud800": 1}}'))).to.equal("a.\ud800");
    expect(fieldOf(JSON.parse('{"a": {"__proto__": {"x": 1}}}'))).to.equal("a.__proto__");
    expect(fieldOf(JSON.parse('{"na\\u0000me": 1}'))).to.equal("na\u0000me");
  });

  it("refuses NUL characters", function () {
    expect(fieldOf({ name: "a\u0000b" })).to.equal("name");
  });

  it("lets well-formed text through, paired surrogates (emoji) included", function () {
    expect(
      fieldOf(JSON.parse('{"name": "Beyonc\\u00e9 \\ud83c\\udfa4", "n": 1, "x": null, "t": true}')),
    ).to.equal(null);
    expect(fieldOf({ deep: [[["fine"]]] })).to.equal(null);
  });

  it("refuses a body nested deeper than the limit (the walk never nears the stack's end)", function () {
    let deep: unknown = "x";
    for (let level = 0; level < 10_000; level++) deep = [deep];
    expect(fieldOf({ deep })).to.match(/^deep/);
    let fine: unknown = "x";
    for (let level = 0; level < jsonDepthMax - 2; level++) fine = [fine];
    expect(fieldOf({ fine })).to.equal(null);
  });

  it("refuses a query string whose values or names do not decode as UTF-8", function () {
    expect(queryEncodingProblem("/events/search?term=%ED%A0%80")?.details).to.deep.equal({ field: "term" });
    expect(queryEncodingProblem("/events/search?term=ok&location=%FF")?.details).to.deep.equal({
      field: "location",
    });
    expect(queryEncodingProblem("/events/search?%C3=1")?.details).to.deep.equal({ field: "query" });
    expect(queryEncodingProblem("/events/search?term=caf%C3%A9+bar&limit=5")).to.equal(null);
    expect(queryEncodingProblem("/events/search")).to.equal(null);
    expect(queryEncodingProblem("/events/search?")).to.equal(null);
  });
});
