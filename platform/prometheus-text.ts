// The Prometheus text exposition format (version 0.0.4) of metric families: HELP and TYPE once per
// family, label values escaped, histograms as cumulative `_bucket{le}` series with `_sum` and
// `_count`. Names are checked elsewhere (platform/prometheus.ts renders only conventional ones).

export type Labels = Readonly<Record<string, string | number>>;

export interface Sample {
  /** The family's name, or it with `_bucket`, `_sum` or `_count` for a histogram. */
  name: string;
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples: Sample[];
}

/** `eventId` -> `event_id`, `nodeID` -> `node_id`: label names in snake case, as Prometheus names them. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9_]/g, "_")
    .toLowerCase();
}

/** A number as the text format writes it (`+Inf`, `NaN`; no float noise such as 0.15000000000000002). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(Number(value.toPrecision(15)));
}

const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function labelText(labels: Labels): string {
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabelValue(String(labels[name]))}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** The samples of one histogram series: `cumulative[i]` observations were at most `bounds[i]`, `count` in all. */
export function histogramSamples(
  name: string,
  labels: Labels,
  bounds: readonly number[],
  cumulative: readonly number[],
  count: number,
  sum: number,
): Sample[] {
  const samples: Sample[] = bounds.map((bound, index) => ({
    name: `${name}_bucket`,
    labels: { ...labels, le: formatNumber(bound) },
    value: cumulative[index] ?? 0,
  }));
  samples.push({ name: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: count });
  samples.push({ name: `${name}_sum`, labels, value: sum });
  samples.push({ name: `${name}_count`, labels, value: count });
  return samples;
}

/** The text of `families`, each sample carrying `defaultLabels` first. Families without samples are left out. */
export function renderFamilies(families: readonly MetricFamily[], defaultLabels: Labels): string {
  const lines: string[] = [];
  for (const family of families) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples)
      lines.push(
        `${sample.name}${labelText({ ...defaultLabels, ...sample.labels })} ${formatNumber(sample.value)}`,
      );
  }
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
