// The metric names a PromQL expression reads, for the check that every metric an alert or a dashboard
// names is served. Not a full PromQL parser: strings, label matchers, ranges and grouping label lists
// are dropped; what is left that is neither a function, an aggregation, a keyword nor a number is a
// metric name.

const aggregations = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const keywords = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

/** The metric names `expression` selects, each once. */
export function promqlMetricNames(expression: string): string[] {
  const text = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, "{}")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1");
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z0-9_:.]+/g)) {
    const token = match[0];
    if (!/^[A-Za-z_:][A-Za-z0-9_:]*$/.test(token)) continue; // a number or duration
    if (aggregations.has(token) || keywords.has(token.toLowerCase())) continue;
    const rest = text.slice(match.index! + token.length).trimStart();
    if (rest.startsWith("(")) continue; // a function call
    names.add(token);
  }
  return [...names];
}

/** Names of the series a Prometheus text serves (`_bucket`, `_sum`, `_count` of a histogram included). */
export function servedSampleNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    names.add(/^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)![0]);
  }
  return names;
}
