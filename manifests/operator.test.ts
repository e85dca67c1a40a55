import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { cityCrd } from '../operator/city/crd.js';
import { OperatorChart } from './operator.js';

type Synthesised = {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  [field: string]: any;
};
const synth = (props: { watchNamespaces?: string[] } = {}) =>
  Testing.synth(
    new OperatorChart(Testing.app(), 'operator', {
      operatorNamespace: 'crashdesk-system',
      image: 'registry.example/crashdesk/operator:1.0.0',
      vault: { address: 'https://vault.example:8200', tokenSecret: 'vault-token' },
      ...props,
    }),
  ) as Synthesised[];
const objects = synth();
const find = (kind: string, name = 'crashdesk-operator', list = objects) => list.find((object) => object.kind === kind && object.metadata.name === name)!;

describe('OperatorChart', () => {
  it('ships the CRD the operator itself is built against', () => {
    expect(objects.find((object) => object.kind === 'CustomResourceDefinition')).toEqual(cityCrd);
  });

  it('keeps namespaces off the cluster-scoped objects', () => {
    for (const object of objects.filter((o) => ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace'].includes(o.kind)))
      expect(object.metadata.namespace).toBeUndefined();
    for (const object of objects.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding', 'Deployment'].includes(o.kind)))
      expect(object.metadata.namespace).toBe('crashdesk-system');
  });

  it('grants no wildcard, no delete, and Secrets only get, create and patch', () => {
    const rules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => o.rules ?? []);
    expect(rules.flatMap((rule) => [...rule.resources, ...rule.verbs])).not.toContain('*');
    expect(rules.flatMap((rule) => rule.verbs)).not.toContain('delete');
    expect(rules.find((rule) => rule.resources.includes('secrets'))?.verbs).toEqual(['get', 'create', 'patch']);
  });

  it('limits lease updates to its own Lease, in its own namespace', () => {
    expect(find('Role', 'crashdesk-operator-lease').rules).toContainEqual({
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'update'],
      resourceNames: ['crashdesk-operator'],
    });
  });

  it('watching listed namespaces, grants the children only there, and cluster-wide only the CRD probe', () => {
    const namespaced = synth({ watchNamespaces: ['city-a', 'city-b'] });
    expect(namespaced.filter((o) => o.kind === 'Role' && o.metadata.name === 'crashdesk-operator').map((o) => o.metadata.namespace)).toEqual([
      'city-a',
      'city-b',
    ]);
    expect(namespaced.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['crashdesk-operator-crd-probe']);
    expect(find('ClusterRole', 'crashdesk-operator-crd-probe', namespaced).rules).toEqual([
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['get'],
        resourceNames: ['clusters.postgresql.cnpg.io', 'servicemonitors.monitoring.coreos.com', 'certificates.cert-manager.io'],
      },
    ]);
    const container = find('Deployment', 'crashdesk-operator', namespaced).spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'WATCH_NAMESPACES', value: 'city-a,city-b' });
  });

  it('runs two replicas of the operator image as a non-root user, probing /healthz, with the Vault token from a Secret', () => {
    const deployment = find('Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('crashdesk-operator');
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container.image).toBe('registry.example/crashdesk/operator:1.0.0');
    // The image's entrypoint runs the operator; no command overrides it.
    expect(container.command).toBeUndefined();
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.env).toContainEqual({ name: 'VAULT_TOKEN', valueFrom: { secretKeyRef: { name: 'vault-token', key: 'token' } } });
    expect(container.env.map((variable: { name: string }) => variable.name)).not.toContain('WATCH_NAMESPACES');
  });
});
