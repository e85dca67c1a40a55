import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics } from '../api/observability/http-metrics.js';

describe('the Grafana dashboard', () => {
  it('queries only metrics the api exports', async () => {
    const dashboard = JSON.parse(await readFile(new URL('./crashdesk-api.json', import.meta.url), 'utf8'));
    const registry = new Registry();
    createHttpMetrics(registry);
    const { collectDefaultMetrics } = await import('prom-client');
    collectDefaultMetrics({ register: registry });
    const exported = (await registry.getMetricsAsJSON()).map((metric) => metric.name);
    const known = (name: string) => exported.some((metric) => name === metric || name.startsWith(`${metric}_`));
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const names: string[] = target.expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)/g) ?? [];
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) expect(known(name), `${panel.title}: ${name}`).toBe(true);
      }
    }
  });
});
