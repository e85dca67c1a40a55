import { describe, expect, it } from 'vitest';
import { testCity } from '../../test/support/test-city.js';
import { resourcePath } from '../kube.js';
import { crdProbeRules, namespaceRules } from '../rbac.js';
import { apiGroupOf, CHILD_KINDS } from './children.js';
import { replicationSecret } from './data-resources.js';
import { desiredChildren } from './resources.js';

// Every child a builder can produce: managed database and cache, the ServiceMonitor, and either autoscaler.
const everyChild = (['hpa', 'keda'] as const).flatMap((by) => [
  ...desiredChildren(testCity('london', { cache: { managed: { image: 'redis:8', memory: '256Mi' } } }), {
    siteNumber: 1,
    now: new Date('2026-11-18T12:00:00Z'),
    serviceMonitors: true,
    autoscaling: { by },
    vault: { address: 'https://vault.example:8200', transitKey: 'crashdesk-platform-london' },
    certificates: { issuer: { kind: 'ClusterIssuer', name: 'crashdesk-internal-ca' } },
    prometheusNamespaces: ['monitoring'],
  }),
  replicationSecret(testCity('london'), 'platform-secret'),
]);

describe('the table of children', () => {
  it('has a row, with the same apiVersion, for every kind a builder produces but the unwatched Secret', () => {
    const built = new Map(everyChild.filter((child) => child.kind !== 'Secret').map((child) => [child.kind, child.apiVersion]));
    expect(new Map(CHILD_KINDS.map((child) => [child.kind, child.apiVersion]))).toEqual(built);
  });

  it('names each optional CRD as Kubernetes does, plural.group', () => {
    for (const { crd, plural, apiVersion } of CHILD_KINDS) if (crd) expect(crd).toBe(`${plural}.${apiGroupOf(apiVersion)}`);
    expect(CHILD_KINDS.filter((child) => child.crd).map((child) => child.kind)).toEqual(['Cluster', 'ServiceMonitor', 'Certificate', 'ScaledObject']);
  });

  it('gives every child list, watch, create and patch in the RBAC, delete only to the autoscalers that replace each other, and the CRD probe its CRDs', () => {
    for (const { apiVersion, plural, replaceable } of CHILD_KINDS) {
      const rules = namespaceRules.filter((candidate) => candidate.apiGroups.includes(apiGroupOf(apiVersion)) && candidate.resources.includes(plural));
      expect(rules.map((rule) => rule.verbs)).toEqual([['list', 'watch', 'create', 'patch', ...(replaceable ? ['delete'] : [])]]);
    }
    expect(CHILD_KINDS.filter((child) => child.replaceable).map((child) => child.kind)).toEqual(['HorizontalPodAutoscaler', 'ScaledObject']);
    expect(crdProbeRules.flatMap((rule) => rule.resourceNames ?? [])).toEqual([
      'clusters.postgresql.cnpg.io',
      'servicemonitors.monitoring.coreos.com',
      'certificates.cert-manager.io',
      'scaledobjects.keda.sh',
    ]);
  });

  it('gives every child its REST collection', () => {
    expect(resourcePath('postgresql.cnpg.io/v1', 'Cluster', 'platform', 'db')).toBe('/apis/postgresql.cnpg.io/v1/namespaces/platform/clusters/db');
    expect(resourcePath('v1', 'ServiceAccount', 'platform')).toBe('/api/v1/namespaces/platform/serviceaccounts');
    for (const { apiVersion, kind, plural } of CHILD_KINDS)
      expect(resourcePath(apiVersion, kind, 'platform')).toMatch(new RegExp(`/namespaces/platform/${plural}$`));
  });
});
