// The alert rules as Prometheus loads them (the PrometheusRule's groups, as the chart ships them):
// promtool checks them and runs alerts.test.yaml, which fires and quiets every alert; every alert has
// its runbook entry in README.md, and the series the cases feed are series crashdesk registers.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { registeredSeries } from '../test/support/registered-series.js';

const RUNBOOK = 'https://github.com/crashdesk/crashdesk/blob/main/dashboards/README.md';
/** The rule file alerts.test.yaml loads, written beside a copy of it. */
const RULE_FILE = 'crashdesk-rules.yaml';
const SECTION = '## Alerts and runbooks';

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface RuleTests {
  readonly group_eval_order?: readonly string[];
  readonly tests: readonly {
    readonly input_series: readonly { readonly series: string }[];
    readonly alert_rule_test?: readonly { readonly alertname: string; readonly exp_alerts: readonly { readonly exp_labels: Record<string, string> }[] }[];
    readonly promql_expr_test?: readonly { readonly expr: string }[];
  }[];
}

const read = (name: string) => readFile(new URL(name, import.meta.url), 'utf8');
const groups = async () => (parse(await read('alerts.yaml')) as { spec: { groups: { name: string; rules: Rule[] }[] } }).spec.groups;
const rules = async () => (await groups()).flatMap((group) => group.rules);
const alertNames = async () => [...new Set((await rules()).flatMap((rule) => rule.alert ?? []))];
const ruleTests = async () => parse(await read('alerts.test.yaml')) as RuleTests;

/** GitHub's anchor of a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replaceAll(/[^\w\- ]/g, '')
    .replaceAll(' ', '-');

async function promtool(args: readonly string[], cwd: string): Promise<void> {
  const binary = process.env.PROMTOOL ?? 'promtool';
  try {
    await promisify(execFile)(binary, args, { cwd });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('promtool is not installed: `apt-get install prometheus` (Debian; .ci/run does), or set PROMTOOL to its path', { cause: error });
    }
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')}:\n${stdout}${stderr}`, { cause: error });
  }
}

describe('the alert rules (dashboards/alerts.yaml)', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'crashdesk-alerts-'));
    await writeFile(join(directory, RULE_FILE), stringify({ groups: await groups() }, { lineWidth: 0 }));
    await copyFile(new URL('alerts.test.yaml', import.meta.url), join(directory, 'alerts.test.yaml'));
  });

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('pass promtool check rules', async () => {
    await promtool(['check', 'rules', RULE_FILE], directory);
  });

  it('fire and stay quiet as alerts.test.yaml expects (promtool test rules)', { timeout: 180_000 }, async () => {
    await promtool(['test', 'rules', 'alerts.test.yaml'], directory);
  });

  it('are evaluated in a fixed order in the tests, every group of recording rules before the alerts that read them', async () => {
    const order = (parse(await read('alerts.test.yaml')) as RuleTests).group_eval_order ?? [];
    const all = await groups();
    expect([...order].sort()).toEqual(all.map((group) => group.name).sort());
    const recording = all.filter((group) => group.rules.some((rule) => rule.record)).map((group) => group.name);
    const alerting = all.filter((group) => group.rules.some((rule) => rule.alert)).map((group) => group.name);
    for (const name of recording) for (const reader of alerting) if (name !== reader) expect(order.indexOf(name)).toBeLessThan(order.indexOf(reader));
  });

  it('have a case in alerts.test.yaml where each alert fires at each severity, one where it stays quiet, and one for each recording rule', async () => {
    const { tests } = await ruleTests();
    const cases = tests.flatMap((test) => test.alert_rule_test ?? []);
    const exprs = tests.flatMap((test) => test.promql_expr_test ?? []).map((test) => test.expr);
    for (const rule of await rules()) {
      if (rule.record) {
        expect(
          exprs.some((expr) => expr.includes(rule.record!)),
          `recording rule ${rule.record}`,
        ).toBe(true);
        continue;
      }
      const own = cases.filter((test) => test.alertname === rule.alert);
      const severities = own.flatMap((test) => test.exp_alerts.map((alert) => alert.exp_labels.severity));
      expect(severities, `${rule.alert} firing`).toContain(rule.labels?.severity);
      expect(
        own.some((test) => test.exp_alerts.length === 0),
        `${rule.alert} quiet`,
      ).toBe(true);
    }
  });

  it('give every alert a severity (page or ticket), a summary, a description and the runbook_url of its entry', async () => {
    for (const rule of (await rules()).filter((each) => each.alert)) {
      expect(['page', 'ticket'], `${rule.alert} severity`).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, `${rule.alert} summary`).toMatch(/\S/);
      expect(rule.annotations?.description, `${rule.alert} description`).toMatch(/\S/);
      expect(rule.annotations?.runbook_url, `${rule.alert} runbook_url`).toBe(`${RUNBOOK}#${anchorOf(rule.alert!)}`);
    }
  });

  it('have a runbook entry in dashboards/README.md for every alert, and an alert for every entry', async () => {
    const readme = await read('README.md');
    const start = readme.indexOf(`\n${SECTION}\n`);
    expect(start, `dashboards/README.md has a "${SECTION}" section`).toBeGreaterThan(-1);
    const rest = readme.slice(start + SECTION.length + 2);
    const section = rest.slice(0, rest.search(/^## /m) === -1 ? undefined : rest.search(/^## /m));
    const entries = [...section.matchAll(/^### (.+)$/gm)].map(([, heading]) => heading!.trim());
    expect(new Set(entries)).toEqual(new Set(await alertNames()));
    expect(entries, 'one entry per alert').toHaveLength(new Set(entries).size);
  });

  it('are tested on series the api and the operator register, by labels those series carry, and name only such series', async () => {
    const registered = await registeredSeries();
    for (const test of (await ruleTests()).tests) {
      for (const { series } of test.input_series) {
        const [, name = '', labels = ''] = /^([\w:]+)\{(.*)\}$/.exec(series) ?? [];
        const known = registered.get(name);
        expect(known, `${series} is not registered`).toBeDefined();
        for (const [, label] of labels.matchAll(/(\w+)="/g)) expect(known?.labels, `${name}{${label}}`).toContain(label);
      }
    }
    const recorded = new Set((await rules()).flatMap((rule) => rule.record ?? []));
    for (const rule of await rules()) {
      for (const [name] of rule.expr.matchAll(/\b(?:crashdesk|http)[\w:]*/g)) {
        expect(recorded.has(name) || registered.has(name), `${rule.alert ?? rule.record}: ${name}`).toBe(true);
      }
    }
  });
});
