// deploy/prometheus/: the scrape config and the alert rules are valid (`promtool check`), the alerts
// fire as their unit tests say (`promtool test rules`), every alert links a runbook section of
// docs/operations.md that exists, and the Grafana provisioning points at the dashboards.
import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import {
  alertRules,
  dashboards,
  grafanaDirectory,
  panelsOf,
  prometheusDirectory,
  repositoryRoot,
} from "../../support/deploy/deploy-files.ts";
import { promtool, promtoolMissing } from "../../support/deploy/promtool.ts";

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

describe("deploy/prometheus", function () {
  this.timeout(60_000);

  describe("with promtool", function () {
    before(function () {
      if (promtoolMissing) {
        console.log(`      (${promtoolMissing})`);
        this.skip();
      }
    });

    it("accepts the alert rules and the scrape config", async () => {
      const rules = await promtool(["check", "rules", "alerts.yml"], { cwd: prometheusDirectory });
      expect(rules.code, rules.output).to.equal(0);
      const config = await promtool(["check", "config", "prometheus.yml"], { cwd: prometheusDirectory });
      expect(config.code, config.output).to.equal(0);
    });

    it("passes the alerts' unit tests (each alert fires on its case and not on its near miss)", async () => {
      const result = await promtool(["test", "rules", "alerts.test.yml"], { cwd: prometheusDirectory });
      expect(result.code, result.output).to.equal(0);
      // Every alert has a case that makes it fire.
      const tests = await readFile(path.join(prometheusDirectory, "alerts.test.yml"), "utf8");
      for (const rule of await alertRules())
        expect(tests, `a test of ${rule.alert}`).to.match(
          new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n`),
        );
    });

    it("refuses a broken rule (the check can fail)", async () => {
      const directory = await mkdtemp(path.join(os.tmpdir(), "marquee-rules-"));
      try {
        const rules = (expr: string) =>
          `groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: ${expr}\n`;
        await writeFile(path.join(directory, "fine.yml"), rules("rate(up[5m]) > 0"));
        await writeFile(path.join(directory, "broken.yml"), rules("rate(up[5m] > 0"));
        expect((await promtool(["check", "rules", "fine.yml"], { cwd: directory })).code).to.equal(0);
        const broken = await promtool(["check", "rules", "broken.yml"], { cwd: directory });
        expect(broken.code).to.not.equal(0);
        expect(broken.output).to.match(/parse error/);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });
  });

  it("links every alert to a runbook section of docs/operations.md", async () => {
    const operations = await readFile(path.join(repositoryRoot, "docs/operations.md"), "utf8");
    const anchors = new Set([...operations.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1])));
    const rules = await alertRules();
    expect(rules.length).to.be.at.least(10);
    for (const rule of rules) {
      const link = rule.annotations?.runbook_url ?? "";
      expect(link, rule.alert).to.equal(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect([...anchors], `runbook section for ${rule.alert}`).to.include(rule.alert.toLowerCase());
      expect(rule.annotations?.summary, `${rule.alert} summary`).to.be.a("string");
    }
  });

  it("provisions Grafana with the Prometheus data source and the dashboards of deploy/grafana/dashboards", async () => {
    const read = async (file: string) => parse(await readFile(path.join(grafanaDirectory, file), "utf8"));
    const datasources = await read("provisioning/datasources/prometheus.yml");
    expect(datasources.datasources[0]).to.include({ type: "prometheus", uid: "prometheus" });
    const providers = await read("provisioning/dashboards/marquee.yml");
    expect(providers.providers[0].options.path).to.equal("/etc/grafana/dashboards/marquee");
    const compose = await readFile(path.join(repositoryRoot, "docker-compose.yml"), "utf8");
    expect(compose).to.include("./deploy/grafana/dashboards:/etc/grafana/dashboards/marquee:ro");
    const all = await dashboards();
    expect(all.map((dashboard) => dashboard.file)).to.include("rush-overview.json");
    for (const dashboard of all) {
      expect(dashboard.json.uid, dashboard.file).to.be.a("string");
      for (const panel of panelsOf(dashboard).filter((candidate) => candidate.type !== "row")) {
        const where = `${dashboard.file}: ${panel.title}`;
        expect(panel.datasource, where).to.deep.equal({ type: "prometheus", uid: "prometheus" });
        expect(panel.targets, where).to.have.length.greaterThan(0);
      }
    }
  });
});
