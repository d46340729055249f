// The text exposition format as written by platform/prometheus-text.ts and the labelled histogram.
import { expect } from "chai";
import { LabelledHistogram } from "../../../platform/labelled-histogram.ts";
import { formatNumber, renderFamilies, snakeCase } from "../../../platform/prometheus-text.ts";

describe("Prometheus text", () => {
  it("writes label names in snake case and numbers without float noise", () => {
    expect(snakeCase("eventId")).to.equal("event_id");
    expect(snakeCase("nodeID")).to.equal("node_id");
    expect(snakeCase("errorName")).to.equal("error_name");
    expect(snakeCase("space")).to.equal("space");
    expect(formatNumber(0.1 + 0.2)).to.equal("0.3");
    expect(formatNumber(Infinity)).to.equal("+Inf");
    expect(formatNumber(NaN)).to.equal("NaN");
    expect(formatNumber(2e-6)).to.equal("0.000002");
  });

  it("escapes label values and help text, and leaves out families without samples", () => {
    const text = renderFamilies(
      [
        {
          name: "a_total",
          help: "line\nbreak \\",
          type: "counter",
          samples: [{ name: "a_total", labels: { v: 'q"b\\n\nx' }, value: 1 }],
        },
        { name: "empty", help: "e", type: "gauge", samples: [] },
      ],
      { namespace: "n" },
    );
    expect(text).to.equal(
      [
        "# HELP a_total line\\nbreak \\\\",
        "# TYPE a_total counter",
        'a_total{namespace="n",v="q\\"b\\\\n\\nx"} 1',
        "",
      ].join("\n"),
    );
  });

  it("keeps histogram series by key: cumulative buckets, +Inf, _sum and _count", () => {
    const histogram = new LabelledHistogram({
      name: "h_seconds",
      help: "h",
      bounds: [0.1, 1],
      seriesMax: 10,
      overflowLabels: { route: "other" },
    });
    for (const value of [0.05, 0.1, 0.5, 3]) histogram.observe("a", () => ({ route: "/a" }), value);
    histogram.observe("b", () => ({ route: "/b" }), 0.2);
    const lines = renderFamilies([histogram.family()], {}).trim().split("\n");
    expect(lines).to.deep.equal([
      "# HELP h_seconds h",
      "# TYPE h_seconds histogram",
      'h_seconds_bucket{route="/a",le="0.1"} 2',
      'h_seconds_bucket{route="/a",le="1"} 3',
      'h_seconds_bucket{route="/a",le="+Inf"} 4',
      'h_seconds_sum{route="/a"} 3.65',
      'h_seconds_count{route="/a"} 4',
      'h_seconds_bucket{route="/b",le="0.1"} 0',
      'h_seconds_bucket{route="/b",le="1"} 1',
      'h_seconds_bucket{route="/b",le="+Inf"} 1',
      'h_seconds_sum{route="/b"} 0.2',
      'h_seconds_count{route="/b"} 1',
    ]);
  });

  it("counts label sets past seriesMax in one overflow series", () => {
    const histogram = new LabelledHistogram({
      name: "h",
      help: "h",
      bounds: [1],
      seriesMax: 2,
      overflowLabels: { route: "other" },
    });
    for (const route of ["/a", "/b", "/c", "/d", "/a"]) histogram.observe(route, () => ({ route }), 0.5);
    const counts = renderFamilies([histogram.family()], {})
      .split("\n")
      .filter((line) => line.startsWith("h_count"));
    expect(counts).to.deep.equal([
      'h_count{route="/a"} 2',
      'h_count{route="/b"} 1',
      'h_count{route="other"} 2',
    ]);
  });
});
