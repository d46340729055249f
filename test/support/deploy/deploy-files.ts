// What deploy/ holds, read for the tests: the alert rules and the dashboards' PromQL expressions.
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { promqlMetricNames } from "./promql-names.ts";

export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const prometheusDirectory = path.join(repositoryRoot, "deploy/prometheus");
export const grafanaDirectory = path.join(repositoryRoot, "deploy/grafana");

export interface AlertRule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

export async function alertRules(): Promise<AlertRule[]> {
  const rules = parse(await readFile(path.join(prometheusDirectory, "alerts.yml"), "utf8"));
  return rules.groups.flatMap((group: { rules: AlertRule[] }) => group.rules);
}

export interface Dashboard {
  file: string;
  json: { uid: string; panels: Panel[] };
}

interface Panel {
  type: string;
  title: string;
  datasource?: unknown;
  targets?: { expr: string }[];
  panels?: Panel[];
}

export async function dashboards(): Promise<Dashboard[]> {
  const directory = path.join(grafanaDirectory, "dashboards");
  const files = (await readdir(directory)).filter((file) => file.endsWith(".json"));
  return Promise.all(
    files.map(async (file) => ({
      file,
      json: JSON.parse(await readFile(path.join(directory, file), "utf8")),
    })),
  );
}

/** Every panel of a dashboard, those inside collapsed rows included. */
export const panelsOf = (dashboard: Dashboard): Panel[] =>
  dashboard.json.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);

/** Metric name -> where it is named (alert or dashboard panel), over every alert and dashboard. */
export async function referencedMetrics(): Promise<Map<string, string[]>> {
  const references = new Map<string, string[]>();
  const add = (expression: string, where: string) => {
    for (const name of promqlMetricNames(expression))
      references.set(name, [...(references.get(name) ?? []), where]);
  };
  for (const rule of await alertRules()) add(rule.expr, `alert ${rule.alert}`);
  for (const dashboard of await dashboards())
    for (const panel of panelsOf(dashboard))
      for (const target of panel.targets ?? []) add(target.expr, `${dashboard.file}: ${panel.title}`);
  return references;
}
