// Marquee's metrics by Prometheus conventions (issue 17): a registration that breaks them throws,
// counters may start at 0 for known labels, a labelled series can be forgotten, and what a broker
// renders is text `promtool check metrics` accepts, in base units.
import { expect } from "chai";
import Moleculer from "moleculer";
import { brokerOptions } from "../../../moleculer.config.ts";
import { loadConfig } from "../../../platform/config.ts";
import {
  conventionProblem,
  metricRegistrar,
  removeSeries,
  type MetricDefinition,
} from "../../../platform/metrics.ts";
import { renderMetrics } from "../../../platform/prometheus.ts";

const counter = (name: string, labelNames?: string[]): MetricDefinition => ({
  type: "counter",
  name,
  description: "d",
  labelNames,
});

describe("metric naming conventions", () => {
  it("accepts counters ending in _total and gauges and histograms in base units", () => {
    expect(conventionProblem(counter("marquee.booking.commits.total"))).to.equal(null);
    expect(
      conventionProblem({ type: "gauge", name: "marquee.search.indexing_lag_seconds", description: "" }),
    ).to.equal(null);
    const histogram: MetricDefinition = {
      type: "histogram",
      name: "marquee.booking.commit.duration_seconds",
      description: "",
      buckets: [0.001],
    };
    expect(conventionProblem(histogram)).to.equal(null);
  });

  it("refuses what breaks them, saying which rule", () => {
    expect(conventionProblem(counter("marquee.booking.commits"))).to.match(/counter.*_total/);
    expect(conventionProblem({ type: "gauge", name: "marquee.sockets.total", description: "" })).to.match(
      /only counters/,
    );
    expect(
      conventionProblem({ type: "histogram", name: "marquee.commit.duration.ms", description: "" }),
    ).to.match(/base units/);
    expect(
      conventionProblem({ type: "histogram", name: "marquee.commit.duration_milliseconds", description: "" }),
    ).to.match(/base units/);
    expect(conventionProblem(counter("other.requests.total"))).to.match(/marquee/);
    expect(conventionProblem(counter("marquee.joins.total", ["eventId"]))).to.match(/eventId.*snake_case/);
  });

  describe("in a broker", () => {
    let broker: Moleculer.ServiceBroker;
    before(() => {
      broker = new Moleculer.ServiceBroker(brokerOptions(loadConfig({ LOG_LEVEL: "warn", NAMESPACE: "m" })));
    });

    it("throws on registration of an unconventional metric", () => {
      expect(() => metricRegistrar(broker.metrics)(counter("marquee.bad"))).to.throw(/marquee.bad.*_total/);
      expect(broker.metrics.hasMetric("marquee.bad")).to.equal(false);
    });

    it("renders a counter at 0 for each label set given, and an unlabelled one before its first event", () => {
      const register = metricRegistrar(broker.metrics);
      register({
        ...counter("marquee.test.crashes.total", ["reason"]),
        zeroes: [{ reason: "a" }, { reason: "b" }],
      });
      register(counter("marquee.test.events.total"));
      const text = renderMetrics(broker);
      expect(text).to.match(/^marquee_test_crashes_total\{namespace="m",reason="a"\} 0$/m);
      expect(text).to.match(/^marquee_test_crashes_total\{namespace="m",reason="b"\} 0$/m);
      expect(text).to.match(/^marquee_test_events_total\{namespace="m"\} 0$/m);
    });

    it("forgets a labelled series on request", () => {
      const register = metricRegistrar(broker.metrics);
      register({ type: "gauge", name: "marquee.test.waiting", description: "w", labelNames: ["event_id"] });
      broker.metrics.set("marquee.test.waiting", 5, { event_id: "ev_1" });
      broker.metrics.set("marquee.test.waiting", 7, { event_id: "ev_2" });
      expect(renderMetrics(broker)).to.match(/event_id="ev_1"\} 5/);
      removeSeries(broker.metrics, "marquee.test.waiting", { event_id: "ev_1" });
      const text = renderMetrics(broker);
      expect(text).to.not.include('event_id="ev_1"');
      expect(text).to.match(/event_id="ev_2"\} 7/);
    });

    it("renders Moleculer's built-ins in base units under conventional names", async () => {
      broker.createService({ name: "probe", actions: { hello: () => "hi" } });
      await broker.start();
      try {
        await broker.call("probe.hello");
        const text = renderMetrics(broker);
        expect(text).to.match(/^process_resident_memory_bytes\{/m);
        expect(text).to.match(/^process_cpu_seconds_total\{namespace="m"\} \d/m);
        expect(text).to.match(/^# TYPE moleculer_request_duration_seconds histogram$/m);
        expect(text).to.match(/^moleculer_request_duration_seconds_bucket\{.*le="0.005"\} 1$/m);
        expect(text).to.match(/^moleculer_request_duration_seconds_count\{.*action="probe.hello".*\} 1$/m);
        expect(text).to.match(/^moleculer_registry_nodes\{/m);
        // Moleculer's own forms are gone: ms, quantiles, client-side rates, gauges named _total.
        expect(text).to.not.match(/quantile=|_rate\{|_ms(_|\{)|^moleculer_request_time|^process_memory_rss/m);
        expect(text).to.not.match(/^moleculer_registry_nodes_total/m);
      } finally {
        await broker.stop();
      }
    });
  });
});
