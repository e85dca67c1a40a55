// The City operator as installed: its CRD (shared with the operator's code), identity, RBAC
// (operator/rbac.ts) and Deployment. The builders are the one definition: the cdk8s app synthesises
// them, and the Helm chart (charts/crashdesk) is checked against them by test/cluster/helm-chart.test.ts.
import { ApiObject, Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { DEFAULT_PROMETHEUS_ADDRESS, DEFAULT_PROMETHEUS_NAMESPACE } from '../operator/city/autoscaling.js';
import { cityCrd } from '../operator/city/crd.js';
import { crdProbeRules, leaseRules, namespaceRules, type PolicyRule } from '../operator/rbac.js';

export const OPERATOR_NAME = 'crashdesk-operator';
/** The Lease the operator's replicas elect their leader on (operator/controller.ts's default). */
const LEASE = 'crashdesk-operator';
const HTTP_PORT = 8081;

export interface OperatorProps {
  /** Where the operator runs. Not ChartProps.namespace: that would also land on the cluster-scoped objects. */
  readonly operatorNamespace: string;
  /** The operator image (the Dockerfile's `operator` target). */
  readonly image: string;
  readonly replicas?: number;
  /** The operator's Vault (VAULT_ADDR, also every City's unless it chooses one of allowedAddresses) and how it authenticates there. */
  readonly vault: {
    readonly address: string;
    readonly allowedAddresses?: readonly string[];
    /** Default: Kubernetes auth as its ServiceAccount, role crashdesk_operator; a static token only on a development cluster. */
    readonly auth?: VaultAuthProps;
  };
  /** A development cluster: Cities may be served without ingress TLS. */
  readonly developmentCluster?: boolean;
  /** The cert-manager issuer of every site's internal certificate (default the ClusterIssuer crashdesk-internal-ca). */
  readonly certificateIssuer?: { readonly kind: 'Issuer' | 'ClusterIssuer'; readonly name: string };
  /** The Prometheus KEDA asks for each City's requests per second (default the Prometheus Operator's prometheus-operated in monitoring). */
  readonly prometheusAddress?: string;
  /** The namespaces that Prometheus runs in: each City's api NetworkPolicy admits them to scrape its http port (default monitoring). */
  readonly prometheusNamespaces?: readonly string[];
  /** Reconcile only the Cities of these namespaces, with a Role in each (default: crashdesk). */
  readonly watchNamespaces?: readonly string[];
  /** Reconcile the Cities of every namespace, with a ClusterRole (watchNamespaces then unused). */
  readonly clusterWide?: boolean;
  readonly logLevel?: string;
  readonly leaseDurationMs?: number;
  readonly resyncMs?: number;
  readonly concurrency?: number;
  /** `app.kubernetes.io/instance`: the Helm release name where the chart installs it. */
  readonly instance?: string;
}

export type VaultAuthProps =
  | { readonly method: 'kubernetes'; readonly role?: string; readonly mount?: string }
  | { readonly method: 'token'; readonly tokenSecret: { readonly name: string; readonly key: string } };

/** The namespaces whose Cities the operator reconciles, each with a Role; undefined: every namespace, with a ClusterRole. */
export function watchedNamespaces(props: Pick<OperatorProps, 'watchNamespaces' | 'clusterWide'>): readonly string[] | undefined {
  if (props.clusterWide) return undefined;
  const watched = props.watchNamespaces ?? ['crashdesk'];
  if (watched.length === 0) throw new Error('watchNamespaces is empty: list the namespaces with Cities, or set clusterWide');
  return watched;
}

/** Where Prometheus runs, for the Cities' NetworkPolicies; never empty, as the operator reads an empty variable as unset (monitoring). */
export function prometheusNamespaces(props: Pick<OperatorProps, 'prometheusNamespaces'>): readonly string[] {
  const namespaces = props.prometheusNamespaces ?? [DEFAULT_PROMETHEUS_NAMESPACE];
  if (namespaces.length === 0) throw new Error('prometheusNamespaces is empty: name the namespaces your Prometheus runs in');
  return namespaces;
}

function vaultEnvironment(vault: OperatorProps['vault']) {
  const auth = vault.auth ?? { method: 'kubernetes' };
  return [
    { name: 'VAULT_ADDR', value: vault.address },
    ...(vault.allowedAddresses?.length ? [{ name: 'VAULT_ALLOWED_ADDRESSES', value: vault.allowedAddresses.join(',') }] : []),
    { name: 'VAULT_AUTH_METHOD', value: auth.method },
    ...(auth.method === 'kubernetes'
      ? [
          // The ServiceAccount token the kubelet mounts is the JWT (VAULT_KUBERNETES_JWT_FILE's default).
          { name: 'VAULT_KUBERNETES_ROLE', value: auth.role ?? 'crashdesk_operator' },
          { name: 'VAULT_KUBERNETES_MOUNT', value: auth.mount ?? 'kubernetes' },
        ]
      : [{ name: 'VAULT_TOKEN', valueFrom: { secretKeyRef: { name: auth.tokenSecret.name, key: auth.tokenSecret.key } } }]),
  ];
}

type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};

export function operatorSelector(instance = 'crashdesk'): Record<string, string> {
  return { 'app.kubernetes.io/name': OPERATOR_NAME, 'app.kubernetes.io/instance': instance };
}

export function operatorLabels(instance = 'crashdesk'): Record<string, string> {
  return { ...operatorSelector(instance), 'app.kubernetes.io/part-of': 'crashdesk', 'app.kubernetes.io/component': 'operator' };
}

const role = (kind: 'Role' | 'ClusterRole', name: string, rules: readonly PolicyRule[], labels: Record<string, string>, namespace?: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), labels },
  rules: [...rules],
});

const binding = (
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleKind: 'Role' | 'ClusterRole',
  subjectNamespace: string,
  labels: Record<string, string>,
  namespace?: string,
): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}), labels },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
  subjects: [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: subjectNamespace }],
});

/** Its ServiceAccount and what it may do: the children's rules cluster-wide or in each watched namespace, the CRD probe, its Lease. */
export function operatorRbac(props: OperatorProps): KubeObject[] {
  const namespace = props.operatorNamespace;
  const labels = operatorLabels(props.instance);
  const watched = watchedNamespaces(props);
  const crdProbe = `${OPERATOR_NAME}-crd-probe`;
  const lease = `${OPERATOR_NAME}-lease`;
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: OPERATOR_NAME, namespace, labels } },
    role('ClusterRole', crdProbe, crdProbeRules, labels),
    binding('ClusterRoleBinding', crdProbe, 'ClusterRole', namespace, labels),
    ...(watched === undefined
      ? [role('ClusterRole', OPERATOR_NAME, namespaceRules, labels), binding('ClusterRoleBinding', OPERATOR_NAME, 'ClusterRole', namespace, labels)]
      : watched.flatMap((watchedNamespace) => [
          role('Role', OPERATOR_NAME, namespaceRules, labels, watchedNamespace),
          binding('RoleBinding', OPERATOR_NAME, 'Role', namespace, labels, watchedNamespace),
        ])),
    role('Role', lease, leaseRules(LEASE), labels, namespace),
    binding('RoleBinding', lease, 'Role', namespace, labels, namespace),
  ];
}

export function operatorDeployment(props: OperatorProps): KubeObject {
  const selector = operatorSelector(props.instance);
  const labels = operatorLabels(props.instance);
  const watched = watchedNamespaces(props);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: OPERATOR_NAME, namespace: props.operatorNamespace, labels },
    spec: {
      // Two replicas: the standby takes the lease within its duration if the leader dies.
      replicas: props.replicas ?? 2,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: OPERATOR_NAME,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          // Enough to finish the reconciles in flight and release the lease.
          terminationGracePeriodSeconds: 30,
          // The standby is only a standby if it is not on the leader's node.
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } },
          ],
          containers: [
            {
              name: 'operator',
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              env: [
                { name: 'OPERATOR_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'OPERATOR_IDENTITY', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'OPERATOR_HTTP_PORT', value: String(HTTP_PORT) },
                { name: 'LOG_LEVEL', value: props.logLevel ?? 'info' },
                { name: 'OPERATOR_LEASE_DURATION_MS', value: String(props.leaseDurationMs ?? 15_000) },
                { name: 'OPERATOR_RESYNC_MS', value: String(props.resyncMs ?? 300_000) },
                { name: 'OPERATOR_CONCURRENCY', value: String(props.concurrency ?? 4) },
                ...(watched ? [{ name: 'WATCH_NAMESPACES', value: watched.join(',') }] : []),
                ...(props.developmentCluster ? [{ name: 'OPERATOR_DEVELOPMENT_CLUSTER', value: 'true' }] : []),
                {
                  name: 'OPERATOR_CERTIFICATE_ISSUER',
                  value: `${props.certificateIssuer?.kind ?? 'ClusterIssuer'}/${props.certificateIssuer?.name ?? 'crashdesk-internal-ca'}`,
                },
                { name: 'OPERATOR_PROMETHEUS_ADDRESS', value: props.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS },
                { name: 'OPERATOR_PROMETHEUS_NAMESPACES', value: prometheusNamespaces(props).join(',') },
                ...vaultEnvironment(props.vault),
              ],
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, props: OperatorProps & Omit<ChartProps, 'namespace'>) {
    super(scope, id, props);
    new ApiObject(this, 'crd', cityCrd);
    new ApiObject(this, 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: props.operatorNamespace } });
    for (const object of [...operatorRbac(props), operatorDeployment(props)]) {
      new ApiObject(this, `${object.kind}-${object.metadata.namespace ?? 'cluster'}-${object.metadata.name}`.toLowerCase(), object);
    }
  }
}
