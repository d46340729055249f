// A histogram whose series the caller finds by a key it builds cheaply (label values joined), for hot
// paths such as every HTTP request: an observation is one Map lookup and a short scan of the bounds,
// the labels object is made only for a new series. Bounded: past `seriesMax` series, observations of
// new label sets go to one overflow series.
import { histogramSamples, type Labels, type MetricFamily } from "./prometheus-text.ts";

interface Series {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  counts: number[];
  sum: number;
}

export interface HistogramOptions {
  name: string;
  help: string;
  /** Upper bounds of the buckets, ascending. */
  bounds: readonly number[];
  seriesMax: number;
  /** The labels of the series that takes the observations past `seriesMax`. */
  overflowLabels: Labels;
}

export class LabelledHistogram {
  private readonly series = new Map<string, Series>();
  private overflow: Series | null = null;

  constructor(private readonly options: HistogramOptions) {}

  /** Counts `value` in the series `key` (made with `labels()` the first time). */
  observe(key: string, labels: () => Labels, value: number): void {
    let series = this.series.get(key);
    if (!series) {
      if (this.series.size < this.options.seriesMax) {
        series = this.newSeries(labels());
        this.series.set(key, series);
      } else series = this.overflow ??= this.newSeries(this.options.overflowLabels);
    }
    const bounds = this.options.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]) index++;
    series.counts[index]++;
    series.sum += value;
  }

  family(): MetricFamily {
    const { name, help, bounds } = this.options;
    const all = this.overflow ? [...this.series.values(), this.overflow] : [...this.series.values()];
    const samples = all.flatMap((series) => {
      let running = 0;
      const cumulative = bounds.map((_, index) => (running += series.counts[index]));
      const count = running + series.counts[bounds.length];
      return histogramSamples(name, series.labels, bounds, cumulative, count, series.sum);
    });
    return { name, help, type: "histogram", samples };
  }

  private newSeries(labels: Labels): Series {
    return { labels, counts: new Array(this.options.bounds.length + 1).fill(0), sum: 0 };
  }
}
