/**
 * The Grafana dashboard and the Prometheus alert rules in monitoring/ name
 * only metrics a node exports: a real node's /metrics is read, and every
 * metric each PromQL expression reads must be in it. Renaming a metric in
 * cluster/metrics.ts without updating them fails here.
 */
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { type Cluster, startCluster } from "../../scripts/lib/cluster-harness.ts";
import { metricNamesIn } from "./promql-metric-names.ts";

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

/** Every expression of the dashboard, by panel title, rows' panels included. */
function dashboardExpressions(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync("monitoring/nexaloak-dashboard.json", "utf8")) as Panel;
  const found: { where: string; expr: string }[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? [])
        if (target.expr) found.push({ where: `panel "${panel.title}"`, expr: target.expr });
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels ?? []);
  return found;
}

function alertExpressions(): { where: string; expr: string }[] {
  const rules = parse(readFileSync("monitoring/nexaloak-alerts.yml", "utf8")) as RuleFile;
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })),
  );
}

/**
 * The series names a /metrics text offers: each `# TYPE` line's name, and for
 * histograms and summaries the series PromQL reads (`_bucket`, `_sum`, `_count`).
 */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name = "", type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(name + suffix);
  }
  return names;
}

test("the PromQL reader finds metric names, not functions, labels or keywords", () => {
  assert.equal(
    metricNamesIn(
      'histogram_quantile(0.99, sum by (instance, le) (rate(a_seconds_bucket{job="x"}[5m]))) > 0.5 and on (instance) b_total offset 5m unless c',
    ),
    ["a_seconds_bucket", "b_total", "c"],
  );
});

test("every metric the dashboard and the alert rules name is one a node exports", async () => {
  const expressions = [...dashboardExpressions(), ...alertExpressions()];
  assert.ok(expressions.length >= 20, `${expressions.length} expressions read`);
  let cluster: Cluster | undefined;
  try {
    cluster = await startCluster({ size: 1 });
    const node = await cluster.leader({ timeoutMs: 30_000 });
    const exported = exportedNames(await (await fetch(`${node.url}/metrics`)).text());
    assert.ok(exported.has("nexaloak_raft_term"), "the node's own metrics were read");
    const missing: string[] = [];
    const named = new Set<string>();
    for (const { where, expr } of expressions) {
      const names = metricNamesIn(expr);
      assert.ok(names.length > 0, `${where} reads no metric: ${expr}`);
      for (const name of names) {
        named.add(name);
        if (!exported.has(name)) missing.push(`${where}: ${name}`);
      }
    }
    assert.equal(missing, [], "metrics named but not exported");
    for (const name of [
      "nexaloak_raft_leader_changes_total",
      "nexaloak_commit_latency_seconds_bucket",
      "nexaloak_peer_lag_entries",
      "nexaloak_redis_errors_total",
      "nexaloak_ban_check_verdicts_total",
      "nexaloak_outbox_pending",
    ])
      assert.ok(named.has(name), `${name} is watched`);
  } finally {
    await cluster?.stop();
  }
});

test.run();
