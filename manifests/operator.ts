// The City operator: its CRD (shared with the operator's code), namespace, identity,
// least-privilege RBAC (operator/rbac.ts) and Deployment.
import { ApiObject, Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { cityCrd } from '../operator/city/crd.js';
import { clusterRules, leaseRules } from '../operator/rbac.js';

export interface OperatorProps {
  /** Where the operator runs. Not ChartProps.namespace: that would also land on the cluster-scoped objects. */
  readonly operatorNamespace: string;
  readonly image: string;
  readonly replicas?: number;
  /** Secret with key `token`: the Vault token the operator manages keys, policies and roles with. */
  readonly vaultTokenSecret: string;
}

const NAME = 'crashdesk-operator';
const LEASE = 'crashdesk-operator';
const HTTP_PORT = 8081;

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, props: OperatorProps & Omit<ChartProps, 'namespace'>) {
    super(scope, id, props);
    const namespace = props.operatorNamespace;
    const labels = { 'app.kubernetes.io/name': NAME };
    new ApiObject(this, 'crd', cityCrd);
    new ApiObject(this, 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    new ApiObject(this, 'service-account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: NAME, namespace } });
    new ApiObject(this, 'cluster-role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: NAME }, rules: clusterRules });
    new ApiObject(this, 'cluster-role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    });
    new ApiObject(this, 'lease-role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `${NAME}-lease`, namespace }, rules: leaseRules(LEASE) });
    new ApiObject(this, 'lease-role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${NAME}-lease`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-lease` },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    });
    new ApiObject(this, 'deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace, labels },
      spec: {
        // Two replicas: the standby takes the lease within its duration if the leader dies.
        replicas: props.replicas ?? 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NAME,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            // Enough to finish the reconciles in flight and release the lease.
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'operator',
                image: props.image,
                command: ['node', 'dist/operator/main.js'],
                env: [
                  { name: 'OPERATOR_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'OPERATOR_IDENTITY', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'OPERATOR_HTTP_PORT', value: String(HTTP_PORT) },
                  { name: 'VAULT_TOKEN', valueFrom: { secretKeyRef: { name: props.vaultTokenSecret, key: 'token' } } },
                ],
                ports: [{ name: 'http', containerPort: HTTP_PORT }],
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
                resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    });
  }
}
