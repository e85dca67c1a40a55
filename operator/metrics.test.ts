import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { operatorMetrics } from './metrics.js';

describe("the operator's metrics", () => {
  it("report each City's desired and ready replicas as its watch source gives them at the scrape", async () => {
    const registry = new Registry();
    const metrics = operatorMetrics(registry);
    let cities = [{ namespace: 'platform', site: 'london', desired: 3, ready: 2 }];
    metrics.readCityReplicasFrom(() => cities);
    expect(await registry.metrics()).toContain('crashdesk_operator_city_replicas{city_namespace="platform",site="london",state="ready"} 2');
    cities = [];
    expect(await registry.metrics()).not.toContain('site="london"');
  });
});
