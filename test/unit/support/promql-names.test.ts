import { expect } from "chai";
import { promqlMetricNames, servedSampleNames } from "../../support/deploy/promql-names.ts";

describe("metric names of PromQL expressions", () => {
  it("finds selectors, not functions, aggregations, keywords, labels or strings", () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, route) (rate(marquee_http_request_duration_seconds_bucket{route!="/events/{eventId}/updates"}[5m])))',
      ),
    ).to.deep.equal(["marquee_http_request_duration_seconds_bucket"]);
    expect(
      promqlMetricNames(
        "max by (event_id) (waiting) > 0 unless on (event_id) sum by (event_id) (increase(admitted_total[5m])) > 0",
      ),
    ).to.deep.equal(["waiting", "admitted_total"]);
    expect(promqlMetricNames('up{job=~"marquee-.*"} == 0')).to.deep.equal(["up"]);
    expect(promqlMetricNames("absent(leader == 1)")).to.deep.equal(["leader"]);
    expect(promqlMetricNames("sum(rate(a_sum[1m])) / sum(rate(a_count[1m])) offset 5m")).to.deep.equal([
      "a_sum",
      "a_count",
    ]);
    expect(
      promqlMetricNames(
        'min_over_time(backlog[10m]) > 0 or increase(passes_total{outcome="failed"}[10m]) >= 3',
      ),
    ).to.deep.equal(["backlog", "passes_total"]);
  });

  it("reads the sample names of a Prometheus text", () => {
    const text = '# HELP h h\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 2\nh_count{a="b"} 1\nup 1\n';
    expect([...servedSampleNames(text)]).to.deep.equal(["h_bucket", "h_sum", "h_count", "up"]);
  });
});
