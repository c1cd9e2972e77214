/**
 * The monitoring files that ship in `deploy/` (SPEC section 6): they parse, every PromQL query in
 * the Grafana dashboard and the alert rules names only metrics the hub exports, every SPEC metric
 * is on the dashboard, and every alert has a runbook in docs/operations.md.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../connectors/index.ts';
import { SchemaSet } from '../../../src/contract/schema-set.ts';
import { registerDeadLetterGauge, DeadLetterView } from '../../../src/delivery/dead-letter-view.ts';
import { DeliveryMetrics } from '../../../src/delivery/delivery-metrics.ts';
import { Senders } from '../../../src/delivery/senders.ts';
import { IngestMetrics } from '../../../src/ingest/ingest-metrics.ts';
import { registerConsumerLag } from '../../../src/ops/consumer-lag.ts';
import { httpMetrics } from '../../../src/ops/http-metrics.ts';
import { Metrics } from '../../../src/ops/metrics.ts';
import { ConnectorKinds } from '../../../src/registry/connector-kinds.ts';
import { ServiceMetrics } from '../../../src/services/service-metrics.ts';

/** SPEC section 6, names and labels. */
const SPEC_METRICS: Record<string, string[]> = {
  lgsp_messages_received_total: ['type', 'source_level', 'outcome'],
  lgsp_deliveries_total: ['connector', 'outcome'],
  lgsp_delivery_duration_seconds: ['connector'],
  lgsp_circuit_breaker_state: ['connector'],
  lgsp_validation_failures_total: ['type'],
  lgsp_dead_letters: ['connector'],
  lgsp_consumer_lag: ['topic', 'partition'],
  lgsp_http_request_duration_seconds: ['route', 'method', 'status'],
  // Issue 14, data-sharing services.
  lgsp_service_calls_total: ['service', 'consumer', 'outcome'],
  lgsp_service_call_duration_seconds: ['service'],
};

const DASHBOARD = 'deploy/grafana/dashboards/lgsp-hub.json';
const ALERTS = 'deploy/prometheus/alerts.yml';
const PROMETHEUS = 'deploy/prometheus/prometheus.yml';
const OPERATIONS = 'docs/operations.md';

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers left after removing strings, label
 * matchers, ranges, grouping clauses, Grafana variables, function names and keywords.
 * A Grafana `label_values(selector, label)` query reads its selector.
 */
function metricNames(expr: string): string[] {
  const query = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/s.exec(expr)?.[1] ?? expr;
  const bare = query
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.:$])([a-zA-Z_:][\w:]*)(?!\s*\(|[\w:])/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !PROMQL_KEYWORDS.has(n.toLowerCase())))];
}

/** Every name `/metrics` can show: the hub's own metrics (made by the modules that make them), Node's defaults, and `up`. */
async function exportedNames(): Promise<{ names: Set<string>; hub: Map<string, string[]> }> {
  const metrics = new Metrics();
  new IngestMetrics(metrics);
  new DeliveryMetrics(metrics);
  new Senders({ onChange: () => () => undefined, connector: () => undefined }, new ConnectorKinds(ADAPTERS, await SchemaSet.load(), [5_000]), metrics);
  httpMetrics(metrics);
  new ServiceMetrics(metrics);
  registerDeadLetterGauge(metrics, new DeadLetterView());
  registerConsumerLag(metrics, { fetchOffsets: async () => [], fetchTopicOffsets: async () => [] }, []);
  const names = new Set(['up']);
  const hub = new Map<string, string[]>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    if (metric.name.startsWith('lgsp_')) {
      const labelNames = (metrics.registry.getSingleMetric(metric.name) as unknown as { labelNames: string[] }).labelNames;
      hub.set(metric.name, [...labelNames]);
    }
  }
  return { names, hub };
}

interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating?: { list: { name: string; query?: string | { query?: string } }[] };
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL query of the dashboard: panel targets and query variables. */
function dashboardQueries(dashboard: Dashboard): { where: string; expr: string }[] {
  const targets = allPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr ?? '' })));
  const variables = (dashboard.templating?.list ?? []).map((v) => ({
    where: `variable ${v.name}`,
    expr: typeof v.query === 'string' ? v.query : (v.query?.query ?? ''),
  }));
  return [...targets, ...variables];
}

interface AlertRule {
  alert: string;
  expr: string;
  fields: Record<string, string>;
}

/** The rules of a Prometheus rule file, read line by line (`expr` on one line or as a `|`/`>` block). */
function alertRules(yaml: string): AlertRule[] {
  const rules: AlertRule[] = [];
  const lines = yaml.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = /^(\s*)- alert:\s*(\S+)\s*$/.exec(lines[i]!);
    if (start) {
      rules.push({ alert: start[2]!, expr: '', fields: {} });
      continue;
    }
    const field = /^(\s*)([\w]+):\s*(.*)$/.exec(lines[i]!);
    const rule = rules.at(-1);
    if (!field || !rule) continue;
    let value = field[3]!.trim();
    if (/^[|>][-+]?$/.test(value)) {
      const block: string[] = [];
      while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || indentOf(lines[i + 1]!) > field[1]!.length)) block.push(lines[++i]!.trim());
      value = block.join(' ').trim();
    }
    rule.fields[field[2]!] = value.replace(/^"(.*)"$/, '$1');
    if (field[2] === 'expr') rule.expr = rule.fields.expr!;
  }
  return rules;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * A syntax check of the YAML subset these files use (no YAML parser is a dependency): spaces only,
 * even indentation, every line a `key: value`, a `- item` or a block scalar's line, quotes and
 * flow brackets closed on their line.
 */
function yamlProblems(text: string): string[] {
  const problems: string[] = [];
  let blockIndent: number | undefined;
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const indent = indentOf(line);
    if (blockIndent !== undefined && indent > blockIndent) return;
    blockIndent = undefined;
    if (/\t/.test(line)) problems.push(`${where}: tab`);
    if (indent % 2 !== 0) problems.push(`${where}: odd indentation`);
    const content = line.trim().replace(/^(?:- )+/, '');
    const pair = /^([A-Za-z_][\w.-]*):(?:\s+(.*))?$/.exec(content);
    const value = (pair ? (pair[2] ?? '') : line.trim().startsWith('- ') ? content : undefined)?.replace(/\s+#.*$/, '');
    if (value === undefined) return void problems.push(`${where}: neither "key: value" nor "- item": ${line.trim()}`);
    if (/^[|>][-+]?$/.test(value)) blockIndent = indent;
    if (value.startsWith('"') && !/^"(?:[^"\\]|\\.)*"$/.test(value)) problems.push(`${where}: unclosed or stray double quote`);
    if (value.startsWith('[') && !value.endsWith(']')) problems.push(`${where}: unclosed [`);
    if (value.startsWith('{') && !value.endsWith('}')) problems.push(`${where}: unclosed {`);
  });
  return problems;
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('metricNames (the PromQL reader the checks below rely on)', () => {
  it('finds the metrics and nothing else', () => {
    expect(
      metricNames('histogram_quantile(0.99, sum by (le, route) (rate(lgsp_http_request_duration_seconds_bucket{instance=~"$instance"}[$__rate_interval])))'),
    ).toEqual(['lgsp_http_request_duration_seconds_bucket']);
    expect(metricNames('sum by (connector) (lgsp_dead_letters) > sum by (connector) ((lgsp_dead_letters offset 5m) or (lgsp_dead_letters * 0))')).toEqual([
      'lgsp_dead_letters',
    ]);
    expect(metricNames('count(max by (connector) (x_state) == 2) or vector(0) / up')).toEqual(['x_state', 'up']);
    expect(metricNames('label_values(up{job="lgsp-hub"}, instance)')).toEqual(['up']);
    expect(metricNames('rate(go_goroutines[5m]) > 1e3')).toEqual(['go_goroutines']);
  });
});

describe('monitoring files in deploy/', () => {
  let exported: Set<string>;
  let hubMetrics: Map<string, string[]>;
  beforeAll(async () => {
    ({ names: exported, hub: hubMetrics } = await exportedNames());
  });

  it('the hub makes exactly the metrics of SPEC section 6, with their labels', () => {
    expect(Object.fromEntries(hubMetrics)).toEqual(SPEC_METRICS);
    expect(exported).toContain('process_cpu_seconds_total');
    expect(exported).toContain('nodejs_eventloop_lag_p99_seconds');
  });

  it('every JSON file parses', () => {
    const files = filesUnder('deploy', /\.json$/);
    expect(files).toContain(DASHBOARD);
    for (const file of files) expect(() => JSON.parse(readFileSync(file, 'utf8')), file).not.toThrow();
  });

  it('every YAML file is well formed', () => {
    const files = [...filesUnder('deploy', /\.ya?ml$/), 'docker-compose.yml'];
    expect(files).toEqual(
      expect.arrayContaining([ALERTS, PROMETHEUS, 'deploy/grafana/provisioning/datasources/prometheus.yml', 'deploy/grafana/provisioning/dashboards/lgsp.yml']),
    );
    for (const file of files) expect(yamlProblems(readFileSync(file, 'utf8')), file).toEqual([]);
  });

  describe('the Grafana dashboard', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');

    it('queries only metrics the hub exports, and every query names one', () => {
      const queries = dashboardQueries(dashboard);
      expect(queries.length).toBeGreaterThan(15);
      for (const { where, expr } of queries) {
        const names = metricNames(expr);
        expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) expect(exported.has(name), `${where} reads ${name}, which the hub does not export`).toBe(true);
      }
    });

    it('shows every metric of SPEC section 6 and the process metrics', () => {
      const read = new Set(
        dashboardQueries(dashboard)
          .flatMap(({ expr }) => metricNames(expr))
          .map((n) => n.replace(/_(bucket|sum|count)$/, '')),
      );
      for (const name of [...Object.keys(SPEC_METRICS), 'process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
        expect(read.has(name), name).toBe(true);
      }
    });

    it('uses the provisioned datasource everywhere, with unique panel ids', () => {
      const datasource = readFileSync('deploy/grafana/provisioning/datasources/prometheus.yml', 'utf8');
      const uid = /^\s*uid:\s*(\S+)\s*$/m.exec(datasource)?.[1];
      expect(uid).toBe('prometheus');
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      for (const panel of panels) {
        expect(panel.datasource?.uid, panel.title).toBe(uid);
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe(uid);
      }
      const ids = allPanels(dashboard.panels).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('is provisioned from the folder docker-compose.yml mounts', () => {
      const provider = readFileSync('deploy/grafana/provisioning/dashboards/lgsp.yml', 'utf8');
      const path = /^\s*path:\s*(\S+)\s*$/m.exec(provider)?.[1];
      const compose = readFileSync('docker-compose.yml', 'utf8');
      expect(compose).toContain(`./deploy/grafana/dashboards:${path}:ro`);
      expect(compose).toContain('./deploy/grafana/provisioning/datasources:/etc/grafana/provisioning/datasources:ro');
      expect(compose).toContain('./deploy/grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro');
    });
  });

  describe('the Prometheus configuration and alert rules', () => {
    const rules = alertRules(readFileSync(ALERTS, 'utf8'));

    it('has the five alerts, each with an expression, a severity and a runbook', () => {
      expect(rules.map((r) => r.alert).sort()).toEqual([
        'LgspBreakerOpen',
        'LgspConsumerLagGrowing',
        'LgspDeadLettersAppearing',
        'LgspHubDown',
        'LgspServiceProviderFailing',
      ]);
      for (const rule of rules) {
        expect(rule.expr, rule.alert).not.toBe('');
        expect(rule.fields.severity, rule.alert).toMatch(/^(critical|warning)$/);
        expect(rule.fields.summary, rule.alert).toBeTruthy();
        expect(rule.fields.runbook_url, rule.alert).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      }
      expect(rules.find((r) => r.alert === 'LgspBreakerOpen')!.fields.for).toBe('5m');
    });

    it('alerts only on metrics the hub exports', () => {
      for (const rule of rules) {
        const names = metricNames(rule.expr);
        expect(names.length, rule.alert).toBeGreaterThan(0);
        for (const name of names) expect(exported.has(name), `${rule.alert} reads ${name}, which the hub does not export`).toBe(true);
      }
    });

    it('every alert has a runbook section in docs/operations.md, and every documented alert exists', () => {
      const doc = readFileSync(OPERATIONS, 'utf8');
      const headings = [...doc.matchAll(/^#{2,4}\s+(Lgsp\w+)\s*$/gm)].map((m) => m[1]!);
      expect(headings.sort()).toEqual(rules.map((r) => r.alert).sort());
    });

    it('loads the rules and scrapes the hub under the job name the queries use', () => {
      const config = readFileSync(PROMETHEUS, 'utf8');
      const ruleFiles = /^rule_files:\s*\n((?:\s+- .*\n)+)/m
        .exec(config)?.[1]
        ?.split('\n')
        .map((l) => l.replace(/^\s*- /, '').trim())
        .filter(Boolean);
      expect(ruleFiles).toEqual(['alerts.yml']);
      expect(existsSync(join('deploy/prometheus', ruleFiles![0]!))).toBe(true);
      expect(config).toMatch(/job_name:\s*lgsp-hub/);
      expect(config).toContain('hub:8080');
      const compose = readFileSync('docker-compose.yml', 'utf8');
      expect(compose).toContain('./deploy/prometheus:/etc/prometheus:ro');
    });
  });
});
