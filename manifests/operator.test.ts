import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { cityCrd } from '../operator/city/crd.js';
import { OperatorChart } from './operator.js';

const objects = Testing.synth(new OperatorChart(Testing.app(), 'operator', { operatorNamespace: 'crashdesk-system', image: 'registry.example/crashdesk/api:1.0.0', vaultTokenSecret: 'vault-token' }));
const find = (kind: string) => objects.find((object: { kind: string }) => object.kind === kind);

describe('OperatorChart', () => {
  it('ships the CRD the operator itself is built against', () => {
    expect(find('CustomResourceDefinition')).toEqual(cityCrd);
  });

  it('keeps namespaces off the cluster-scoped objects', () => {
    for (const kind of ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace']) expect(find(kind).metadata.namespace).toBeUndefined();
    for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'Deployment']) expect(find(kind).metadata.namespace).toBe('crashdesk-system');
  });

  it('grants no wildcard, no delete, and Secrets only get, create and patch', () => {
    const rules = find('ClusterRole').rules as { resources: string[]; verbs: string[] }[];
    expect(rules.flatMap((rule) => [...rule.resources, ...rule.verbs])).not.toContain('*');
    expect(rules.flatMap((rule) => rule.verbs)).not.toContain('delete');
    expect(rules.find((rule) => rule.resources.includes('secrets'))?.verbs).toEqual(['get', 'create', 'patch']);
  });

  it('limits lease updates to its own Lease, in its own namespace', () => {
    expect(find('Role').rules).toContainEqual({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['crashdesk-operator'] });
  });

  it('runs two replicas that probe /healthz and read the Vault token from a Secret', () => {
    const deployment = find('Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('crashdesk-operator');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.env).toContainEqual({ name: 'VAULT_TOKEN', valueFrom: { secretKeyRef: { name: 'vault-token', key: 'token' } } });
  });
});
