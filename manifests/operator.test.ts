import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { cityCrd } from '../operator/city/crd.js';
import { OperatorChart, type OperatorProps } from './operator.js';

type Synthesised = {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  [field: string]: any;
};
const synth = (props: Partial<OperatorProps> = {}) =>
  Testing.synth(
    new OperatorChart(Testing.app(), 'operator', {
      operatorNamespace: 'crashdesk-system',
      image: 'registry.example/crashdesk/operator:1.0.0',
      vault: { address: 'https://vault.example:8200' },
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
    for (const object of objects.filter((o) => ['ServiceAccount', 'Deployment'].includes(o.kind) || o.metadata.name === 'crashdesk-operator-lease'))
      expect(object.metadata.namespace).toBe('crashdesk-system');
  });

  it('grants no wildcard, and delete only on the two autoscalers that replace each other', () => {
    const rules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => o.rules ?? []);
    expect(rules.flatMap((rule) => [...rule.resources, ...rule.verbs])).not.toContain('*');
    expect(rules.filter((rule) => rule.verbs.includes('delete')).flatMap((rule) => rule.resources)).toEqual(['horizontalpodautoscalers', 'scaledobjects']);
  });

  it('by default watches one namespace with a Role there, and no ClusterRole but the CRD probe', () => {
    expect(objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'crashdesk-operator').map((o) => o.metadata.namespace)).toEqual(['crashdesk']);
    expect(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['crashdesk-operator-crd-probe']);
    expect(find('Deployment').spec.template.spec.containers[0].env).toContainEqual({ name: 'WATCH_NAMESPACES', value: 'crashdesk' });
    const clusterWide = synth({ clusterWide: true });
    expect(clusterWide.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['crashdesk-operator-crd-probe', 'crashdesk-operator']);
    expect(find('Deployment', 'crashdesk-operator', clusterWide).spec.template.spec.containers[0].env.map((v: { name: string }) => v.name)).not.toContain(
      'WATCH_NAMESPACES',
    );
  });

  it('reads Secrets only by the names it manages, creates the ones it makes, and never lists, watches or changes one', () => {
    const rules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => o.rules ?? []);
    const secretRules = rules.filter((rule) => rule.resources.includes('secrets'));
    expect(secretRules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['crashdesk-replication'] },
      // Kubernetes cannot restrict create by name; a create cannot read or change an existing Secret.
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ]);
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
        resourceNames: ['clusters.postgresql.cnpg.io', 'servicemonitors.monitoring.coreos.com', 'certificates.cert-manager.io', 'scaledobjects.keda.sh'],
      },
    ]);
    const container = find('Deployment', 'crashdesk-operator', namespaced).spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'WATCH_NAMESPACES', value: 'city-a,city-b' });
  });

  it('authenticates to Vault with Kubernetes auth as its ServiceAccount, and with a token from a Secret only when told to', () => {
    const env = find('Deployment').spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'VAULT_ADDR', value: 'https://vault.example:8200' },
        { name: 'VAULT_AUTH_METHOD', value: 'kubernetes' },
        { name: 'VAULT_KUBERNETES_ROLE', value: 'crashdesk_operator' },
        { name: 'VAULT_KUBERNETES_MOUNT', value: 'kubernetes' },
      ]),
    );
    expect(env.map((variable) => variable.name)).not.toContain('VAULT_TOKEN');
    const development = synth({ vault: { address: 'http://vault.dev:8200', auth: { method: 'token', tokenSecret: { name: 'vault-token', key: 'token' } } } });
    expect(find('Deployment', 'crashdesk-operator', development).spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'VAULT_AUTH_METHOD', value: 'token' },
        { name: 'VAULT_TOKEN', valueFrom: { secretKeyRef: { name: 'vault-token', key: 'token' } } },
      ]),
    );
  });

  it('runs two replicas of the operator image as a non-root user, probing /healthz', () => {
    const deployment = find('Deployment');
    const container = deployment.spec.template.spec.containers[0];
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('crashdesk-operator');
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(container.image).toBe('registry.example/crashdesk/operator:1.0.0');
    // The image's entrypoint runs the operator; no command overrides it.
    expect(container.command).toBeUndefined();
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
  });

  it("names the Prometheus KEDA asks for each City's requests per second: the Prometheus Operator's by default", () => {
    const env = (list: Synthesised[]) => find('Deployment', 'crashdesk-operator', list).spec.template.spec.containers[0].env;
    expect(env(objects)).toContainEqual({ name: 'OPERATOR_PROMETHEUS_ADDRESS', value: 'http://prometheus-operated.monitoring.svc:9090' });
    expect(env(synth({ prometheusAddress: 'https://thanos.example' }))).toContainEqual({
      name: 'OPERATOR_PROMETHEUS_ADDRESS',
      value: 'https://thanos.example',
    });
  });

  it("tells the operator the namespaces Prometheus runs in, for the Cities' NetworkPolicies: monitoring by default, never none", () => {
    const env = (list: Synthesised[]) => find('Deployment', 'crashdesk-operator', list).spec.template.spec.containers[0].env;
    expect(env(objects)).toContainEqual({ name: 'OPERATOR_PROMETHEUS_NAMESPACES', value: 'monitoring' });
    expect(env(synth({ prometheusNamespaces: ['monitoring', 'thanos'] }))).toContainEqual({
      name: 'OPERATOR_PROMETHEUS_NAMESPACES',
      value: 'monitoring,thanos',
    });
    expect(() => synth({ prometheusNamespaces: [] })).toThrow(/prometheusNamespaces is empty/);
  });
});
