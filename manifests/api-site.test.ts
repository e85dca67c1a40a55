import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../api/config.js';
import { ApiSiteChart } from './main.js';

describe('ApiSiteChart', () => {
  const chart = new ApiSiteChart(Testing.app(), 'london', {
    site: 'london',
    siteNumber: 3,
    image: 'registry.example/crashdesk/api:1.0.0',
    replicas: 2,
    databaseSecret: 'london-db',
    adminSecret: 'london-admin',
    blindIndexSecret: 'blind-index',
    internalTlsSecret: 'london-internal-tls',
    vault: { address: 'http://vault.vault.svc:8200', role: 'crashdesk-london' },
  });
  const [deployment, service] = Testing.synth(chart);

  it('runs the api in single-site mode with an environment the api accepts', () => {
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((v: { name: string; value?: string }) => [v.name, v.value ?? 'from-secret']));
    expect(env).toMatchObject({ CRASHDESK_SITE: 'london', CRASHDESK_SITE_NUMBER: '3', HOST: '0.0.0.0', CRASHDESK_TRUST_PROXY_HOPS: '1' });
    const parsed = configSchema.safeParse({
      ...env,
      DATABASE_URL: 'postgres://db/london',
      DATABASE_OWNER_URL: 'postgres://owner@db/london',
      CRASHDESK_ADMIN_PASSWORD: 'twelve-chars-or-more',
      CRASHDESK_BLIND_INDEX_KEY: Buffer.alloc(32).toString('base64'),
    });
    expect(parsed.success).toBe(true);
  });

  it('probes readiness on the site prefix and drains before stopping', () => {
    const container = deployment.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/london/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/london/healthz');
    expect(container.lifecycle.preStop.sleep.seconds).toBeGreaterThan(0);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('selects the Deployment pods from the Service', () => {
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });
});
