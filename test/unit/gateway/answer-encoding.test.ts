import { expect } from "chai";
import { gunzipSync } from "node:zlib";
import { addVary, encodeAnswer, matchesEtag } from "../../../gateway/answer-encoding.ts";
import { preferredEncoding } from "../../../domain/content-encoding.ts";

const request = (headers: Record<string, string>) => ({ headers }) as any;
const context = (meta: Record<string, unknown> = {}) => ({ meta }) as any;

describe("answer encoding (gateway/answer-encoding.ts)", () => {
  it("picks the coding the client weighs most, the server's order breaking ties", () => {
    expect(preferredEncoding("gzip, deflate, br", ["br", "gzip"])).to.equal("br");
    expect(preferredEncoding("gzip, deflate, br", ["gzip"])).to.equal("gzip");
    expect(preferredEncoding("br;q=0.5, gzip;q=0.8", ["br", "gzip"])).to.equal("gzip");
    expect(preferredEncoding("gzip;q=0, br;q=0", ["br", "gzip"])).to.equal("identity");
    expect(preferredEncoding("*", ["br", "gzip"])).to.equal("br");
    expect(preferredEncoding("*;q=0.1, br;q=0", ["br", "gzip"])).to.equal("gzip");
    expect(preferredEncoding("identity", ["br", "gzip"])).to.equal("identity");
    expect(preferredEncoding(undefined, ["gzip"])).to.equal("identity");
    expect(preferredEncoding("GZIP ; Q=1", ["gzip"])).to.equal("gzip");
    expect(preferredEncoding("gzip;q=abc", ["gzip"])).to.equal("identity");
  });

  it("compares ETags weakly, lists and * included", () => {
    expect(matchesEtag('W/"a.1"', 'W/"a.1"')).to.equal(true);
    expect(matchesEtag('"a.1"', 'W/"a.1"')).to.equal(true);
    expect(matchesEtag('W/"x", W/"a.1"', 'W/"a.1"')).to.equal(true);
    expect(matchesEtag("*", 'W/"a.1"')).to.equal(true);
    expect(matchesEtag('W/"a.2"', 'W/"a.1"')).to.equal(false);
    expect(matchesEtag(undefined, 'W/"a.1"')).to.equal(false);
  });

  it("adds Accept-Encoding to Vary once", () => {
    const headers: Record<string, string> = { Vary: "Origin" };
    addVary(headers, "Accept-Encoding");
    addVary(headers, "accept-encoding");
    expect(headers.Vary).to.equal("Origin, Accept-Encoding");
  });

  const big = { items: Array.from({ length: 200 }, (_, index) => ({ index, name: `item ${index}` })) };

  it("gzips a JSON answer over 1 KiB when the client accepts gzip, and says Vary", async () => {
    const ctx = context();
    const answer = await encodeAnswer(ctx, null, request({ "accept-encoding": "gzip, br" }), null, big);
    expect(Buffer.isBuffer(answer)).to.equal(true);
    expect(JSON.parse(gunzipSync(answer as Buffer).toString())).to.deep.equal(big);
    expect(ctx.meta.$responseHeaders).to.include({ "Content-Encoding": "gzip", Vary: "Accept-Encoding" });
    expect(ctx.meta.$responseType).to.match(/^application\/json/);
  });

  it("sends small answers, refusing clients and non-JSON answers as they are", async () => {
    const small = { ok: true };
    const ctx = context();
    expect(await encodeAnswer(ctx, null, request({ "accept-encoding": "gzip" }), null, small)).to.equal(
      '{"ok":true}',
    );
    expect(ctx.meta.$responseHeaders["Content-Encoding"]).to.equal(undefined);
    const refusing = context();
    const text = await encodeAnswer(refusing, null, request({ "accept-encoding": "gzip;q=0" }), null, big);
    expect(text).to.equal(JSON.stringify(big));
    expect(refusing.meta.$responseHeaders).to.deep.equal({ Vary: "Accept-Encoding" });
    const bytes = Buffer.alloc(4096);
    const binary = context({ $responseType: "application/octet-stream" });
    expect(await encodeAnswer(binary, null, request({ "accept-encoding": "gzip" }), null, bytes)).to.equal(
      bytes,
    );
  });

  it("answers 304 without a body when If-None-Match names the action's ETag", async () => {
    const ctx = context({
      $responseHeaders: { ETag: 'W/"c.5.x"', "Content-Encoding": "br", Vary: "Accept-Encoding" },
    });
    const answer = await encodeAnswer(
      ctx,
      null,
      request({ "if-none-match": 'W/"c.5.x"' }),
      null,
      Buffer.from("x"),
    );
    expect(answer).to.equal(null);
    expect(ctx.meta.$statusCode).to.equal(304);
    expect(ctx.meta.$responseHeaders).to.deep.equal({ ETag: 'W/"c.5.x"', Vary: "Accept-Encoding" });
    const precompressed = Buffer.from("already br");
    const fresh = context({ $responseHeaders: { ETag: 'W/"c.6.y"', "Content-Encoding": "br" } });
    expect(
      await encodeAnswer(fresh, null, request({ "if-none-match": 'W/"c.5.x"' }), null, precompressed),
    ).to.equal(precompressed);
  });
});
