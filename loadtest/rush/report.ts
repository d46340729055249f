// The rush report: one self-contained HTML page (inline SVG charts, no scripts, no network) that a
// person can read at a glance: throughput, latency percentiles, seats sold, the waiting room, status codes.
import type { SecondSummary } from "./recorder.ts";

export interface RunSummary {
  /** The sold-out phase with a waiting list, when run (waitlist-phase.ts). */
  waitlist?: import("./waitlist-phase.ts").WaitlistPhaseReport;
  label: string;
  system: string;
  seats: number;
  users: number;
  sold: number;
  sellOutSeconds: number | null;
  durationSeconds: number;
  /** Second of the run at which the sale opened (charts mark it). */
  onSaleSecond: number;
  reserve: { count: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null };
  confirm: { count: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null };
  join: { count: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null };
  /** Admissions, and how many were heard over a socket push rather than a poll. */
  waitingRoom: { joined: number; admitted: number; admittedByPush: number; socketsPeak: number };
  outcomes: Record<string, number>;
  statuses: Record<string, number>;
  audit: { ok: boolean; text: string };
  timeline: SecondSummary[];
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character]!,
  );

const palette = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2"];

interface Series {
  name: string;
  points: [number, number | null][];
}

/** A line chart as an SVG string. */
export function lineChart(
  title: string,
  unit: string,
  series: Series[],
  markers: { at: number; label: string }[] = [],
  width = 560,
  height = 240,
): string {
  const padding = { left: 52, right: 12, top: 44, bottom: 30 };
  const xs = series.flatMap((line) => line.points.map(([x]) => x));
  const ys = series.flatMap((line) => line.points.map(([, y]) => y).filter((y): y is number => y !== null));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1, ...ys) * 1.05;
  const x = (value: number) => padding.left + (value / xMax) * (width - padding.left - padding.right);
  const y = (value: number) =>
    height - padding.bottom - (value / yMax) * (height - padding.top - padding.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => fraction * yMax);
  const paths = series.map((line, index) => {
    let d = "";
    let pen = false;
    for (const [px, py] of line.points) {
      if (py === null) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${x(px).toFixed(1)},${y(py).toFixed(1)}`;
      pen = true;
    }
    return `<path d="${d}" fill="none" stroke="${palette[index % palette.length]}" stroke-width="1.6"/>`;
  });
  const legend = series
    .map(
      (line, index) =>
        `<tspan fill="${palette[index % palette.length]}">■</tspan><tspan> ${escapeHtml(line.name)}  </tspan>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">
  <text x="${padding.left}" y="16" font-size="13" font-weight="600">${escapeHtml(title)}</text>
  <text x="${padding.left}" y="32" font-size="11">${legend}</text>
  ${ticks
    .map(
      (tick) =>
        `<line x1="${padding.left}" x2="${width - padding.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e5e7eb"/>` +
        `<text x="${padding.left - 6}" y="${y(tick) + 4}" font-size="10" text-anchor="end">${formatNumber(tick)}</text>`,
    )
    .join("")}
  <text x="${padding.left - 6}" y="${padding.top - 10}" font-size="10" text-anchor="end">${escapeHtml(unit)}</text>
  ${xTicks(xMax)
    .map(
      (tick) =>
        `<text x="${x(tick)}" y="${height - padding.bottom + 14}" font-size="10" text-anchor="middle">${tick}</text>`,
    )
    .join("")}
  <text x="${width - padding.right}" y="${height - 2}" font-size="10" text-anchor="end">seconds</text>
  ${markers
    .map(
      (marker) =>
        `<line x1="${x(marker.at)}" x2="${x(marker.at)}" y1="${padding.top}" y2="${height - padding.bottom}" stroke="#9ca3af" stroke-dasharray="4 3"/>` +
        `<text x="${x(marker.at) + 4}" y="${padding.top + 10}" font-size="10" fill="#6b7280">${escapeHtml(marker.label)}</text>`,
    )
    .join("")}
  ${paths.join("\n  ")}
</svg>`;
}

/** Round steps for the seconds axis: about six ticks. */
function xTicks(xMax: number): number[] {
  const rough = xMax / 6;
  const step =
    [1, 2, 5, 10, 15, 30, 60, 120, 300, 600].find((candidate) => candidate >= rough) ?? Math.ceil(rough);
  const ticks = [];
  for (let tick = 0; tick <= xMax; tick += step) ticks.push(tick);
  return ticks;
}

const formatNumber = (value: number) =>
  value >= 10_000
    ? `${Math.round(value / 1_000)}k`
    : value >= 100
      ? String(Math.round(value))
      : value.toFixed(1);
const formatMs = (value: number | null) => (value === null ? "-" : `${value.toFixed(1)} ms`);

function runSection(run: RunSummary): string {
  const t = run.timeline;
  const points = (pick: (second: SecondSummary) => number | null): [number, number | null][] =>
    t.map((second) => [second.second, pick(second)]);
  const operations = ["join", "poll", "reserve", "confirm", "seatMap", "release"] as const;
  const markers = [{ at: run.onSaleSecond, label: "sale opens" }];
  const charts = [
    lineChart(
      "Throughput by operation",
      "req/s",
      operations.map((operation) => ({
        name: operation,
        points: points((second) => second.byOperation[operation]),
      })),
    ),
    lineChart(
      "Reserve and confirm latency",
      "ms",
      [
        { name: "reserve p50", points: points((second) => second.reserveP50Ms) },
        { name: "reserve p99", points: points((second) => second.reserveP99Ms) },
        { name: "confirm p50", points: points((second) => second.confirmP50Ms) },
        { name: "confirm p99", points: points((second) => second.confirmP99Ms) },
      ],
      markers,
    ),
    lineChart("Seats sold", "seats", [{ name: "sold", points: points((second) => second.sold) }], markers),
    lineChart(
      "Waiting room",
      "users",
      [
        { name: "waiting", points: points((second) => second.waiting) },
        { name: "admitted (total)", points: points((second) => second.admitted) },
        { name: "shopping now", points: points((second) => second.shopping) },
      ],
      markers,
    ),
  ];
  const statuses = Object.entries(run.statuses).sort(([a], [b]) => a.localeCompare(b));
  const total = statuses.reduce((sum, [, count]) => sum + count, 0);
  return `<section>
  <h2>${escapeHtml(run.label)} <small>${escapeHtml(run.system)}</small></h2>
  <table class="summary">
    <tr><th>seats sold</th><td>${run.sold} / ${run.seats}</td><th>sell-out time</th><td>${run.sellOutSeconds === null ? "not sold out" : `${run.sellOutSeconds.toFixed(1)} s`}</td></tr>
    <tr><th>virtual users</th><td>${run.users}</td><th>run time</th><td>${run.durationSeconds.toFixed(1)} s</td></tr>
    <tr><th>reserve p50 / p99</th><td>${formatMs(run.reserve.p50Ms)} / ${formatMs(run.reserve.p99Ms)} (${run.reserve.count})</td>
        <th>confirm p50 / p99</th><td>${formatMs(run.confirm.p50Ms)} / ${formatMs(run.confirm.p99Ms)} (${run.confirm.count})</td></tr>
    <tr><th>join p50 / p99</th><td>${formatMs(run.join.p50Ms)} / ${formatMs(run.join.p99Ms)} (${run.join.count})</td>
        <th>outcomes</th><td>${Object.entries(run.outcomes)
          .map(([name, count]) => `${escapeHtml(name)} ${count}`)
          .join(", ")}</td></tr>
    <tr><th>joined / admitted</th><td>${run.waitingRoom.joined} / ${run.waitingRoom.admitted}</td>
        <th>admissions heard by push</th><td>${run.waitingRoom.admittedByPush} (peak ${run.waitingRoom.socketsPeak} waiting sockets)</td></tr>
  </table>
  <div class="charts">${charts.join("\n")}</div>
  <h3>Status codes</h3>
  <table class="statuses">${statuses
    .map(
      ([key, count]) =>
        `<tr><td>${escapeHtml(key)}</td><td>${count}</td><td><div class="bar" style="width:${Math.max(1, (count / total) * 300).toFixed(0)}px"></div></td></tr>`,
    )
    .join("")}</table>
  <h3>Audit</h3>
  <pre class="${run.audit.ok ? "ok" : "fail"}">${escapeHtml(run.audit.text)}</pre>
</section>`;
}

export function renderReport(runs: RunSummary[], generatedAt: string): string {
  const comparison =
    runs.length > 1
      ? `<section><h2>Side by side</h2><table class="summary"><tr><th></th>${runs.map((run) => `<th>${escapeHtml(run.label)}</th>`).join("")}</tr>
      ${[
        ["sold", (run: RunSummary) => `${run.sold} / ${run.seats}`],
        [
          "sell-out time",
          (run: RunSummary) =>
            run.sellOutSeconds === null ? "not sold out" : `${run.sellOutSeconds.toFixed(1)} s`,
        ],
        ["reserve p50", (run: RunSummary) => formatMs(run.reserve.p50Ms)],
        ["reserve p99", (run: RunSummary) => formatMs(run.reserve.p99Ms)],
        ["confirm p99", (run: RunSummary) => formatMs(run.confirm.p99Ms)],
        ["audit", (run: RunSummary) => (run.audit.ok ? "clean" : "VIOLATIONS")],
      ]
        .map(
          ([name, value]) =>
            `<tr><th>${name as string}</th>${runs.map((run) => `<td>${escapeHtml((value as (run: RunSummary) => string)(run))}</td>`).join("")}</tr>`,
        )
        .join("")}</table></section>`
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Marquee rush report</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#111}
h1{margin:0 0 4px} small{color:#666;font-weight:normal}
section{margin:24px 0;border-top:1px solid #ddd;padding-top:8px}
table.summary th{text-align:left;padding:2px 12px 2px 0;color:#444} table.summary td{padding:2px 24px 2px 0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}
.bar{background:#2563eb;height:10px} table.statuses td{padding:1px 8px}
pre.ok{background:#f0fdf4;padding:8px} pre.fail{background:#fef2f2;padding:8px}
</style></head><body>
<h1>Marquee rush report</h1><div><small>generated ${escapeHtml(generatedAt)}</small></div>
${comparison}
${runs.map(runSection).join("\n")}
</body></html>`;
}
