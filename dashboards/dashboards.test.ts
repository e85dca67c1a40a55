// The committed dashboards are what their definitions generate, and every query names series the
// api and the operator register, with labels those series have, scoped by the dashboard's variables.
// test/cluster/dashboards-prometheus.test.ts proves each query returns data from a real Prometheus.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dashboardFiles } from './dashboards.js';
import { dashboardQueries, selectorsOf, variableQueries } from '../test/support/dashboard-queries.js';
import { registeredSeries } from '../test/support/registered-series.js';

describe('the Grafana dashboards', () => {
  it('are committed as their definitions generate them (npm run dashboards)', async () => {
    for (const [name, expected] of dashboardFiles()) {
      const actual = await readFile(new URL(name, import.meta.url), 'utf8').catch(() => '(missing)');
      expect(actual, `dashboards/${name} differs from its definition: run npm run dashboards`).toBe(expected);
    }
  });

  it('query only series the api and the operator register, by labels those series carry', async () => {
    const series = await registeredSeries();
    for (const { dashboard, panel, expr } of dashboardQueries()) {
      const selectors = selectorsOf(expr);
      expect(selectors.length, `${dashboard} / ${panel}: ${expr}`).toBeGreaterThan(0);
      for (const selector of selectors) {
        const known = series.get(selector.metric);
        expect(known, `${dashboard} / ${panel}: ${selector.metric} is not registered`).toBeDefined();
        for (const label of selector.matchers.keys()) expect(known?.labels, `${dashboard} / ${panel}: ${selector.metric}{${label}}`).toContain(label);
      }
    }
  });

  it('take their namespace and site variables from registered series that carry those labels', async () => {
    const series = await registeredSeries();
    for (const { dashboard, variable, series: source, label } of variableQueries()) {
      const [name = ''] = source.split('{');
      expect(label, `${dashboard}: variable ${variable}`).toBe(variable);
      expect(series.get(name)?.labels, `${dashboard}: variable ${variable} from ${name}`).toContain(label);
    }
  });

  it('scope every series by the namespace variable, and by the site variable wherever the series has a site', async () => {
    const series = await registeredSeries();
    for (const { dashboard, panel, expr } of dashboardQueries()) {
      for (const selector of selectorsOf(expr)) {
        const where = `${dashboard} / ${panel}: ${selector.metric}`;
        const namespace = selector.matchers.get('namespace') ?? selector.matchers.get('city_namespace');
        expect(namespace, where).toBe('=~$namespace');
        if (series.get(selector.metric)?.labels.has('site')) expect(selector.matchers.get('site'), where).toBe('=~$site');
        // Process series have no site: filtering them by one is what left the old panels empty.
        else expect(selector.matchers.has('site'), where).toBe(false);
      }
    }
  });
});
