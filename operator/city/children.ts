// The kinds of a City's children, in one table. The controller's watch caches, reconcile's check
// for children changed by hand and for the autoscaler it replaced, the RBAC child rules, the CRD
// probe's resourceNames and the REST plurals (kube.ts) all derive from it, so a new kind of child
// is a row here and its builder.
//
// The replication Secret is a child too but is not in the table: watching Secrets would take
// list and watch on every Secret of the namespace, and nobody edits a derived key by hand
// (rbac.ts grants on Secrets only create, and get of the platform replication secret by name: the
// Secrets the operator makes are created once and never patched). No runtime imports: kube.ts
// reads this table while it loads.

export interface ChildKind {
  readonly kind: string;
  readonly apiVersion: string;
  /** The REST collection, which is also the resource its RBAC rule names. */
  readonly plural: string;
  /** Set for a kind that another operator's CRD brings: watched and applied only once it is installed. */
  readonly crd?: string;
  /**
   * Set for the kinds that stand in for each other as the api's autoscaler (named like the api
   * Deployment): the one a City does not want is deleted, which its RBAC rule allows. Garbage
   * collection removes every other child only with its City; these swap while it lives.
   */
  readonly replaceable?: boolean;
}

/** In the order of the generated RBAC rules: one rule per API group, the groups as they first appear. */
export const CHILD_KINDS: readonly ChildKind[] = [
  { kind: 'ServiceAccount', apiVersion: 'v1', plural: 'serviceaccounts' },
  { kind: 'Service', apiVersion: 'v1', plural: 'services' },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments' },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses' },
  { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies' },
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', plural: 'horizontalpodautoscalers', replaceable: true },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', plural: 'poddisruptionbudgets' },
  { kind: 'Cluster', apiVersion: 'postgresql.cnpg.io/v1', plural: 'clusters', crd: 'clusters.postgresql.cnpg.io' },
  { kind: 'ServiceMonitor', apiVersion: 'monitoring.coreos.com/v1', plural: 'servicemonitors', crd: 'servicemonitors.monitoring.coreos.com' },
  { kind: 'Certificate', apiVersion: 'cert-manager.io/v1', plural: 'certificates', crd: 'certificates.cert-manager.io' },
  { kind: 'ScaledObject', apiVersion: 'keda.sh/v1alpha1', plural: 'scaledobjects', crd: 'scaledobjects.keda.sh', replaceable: true },
];

/** Kinds with a watch cache: for these, "not in the cache" means missing (or deleted by hand). */
export const WATCHED_KINDS: ReadonlySet<string> = new Set(CHILD_KINDS.map((child) => child.kind));

/** The CRDs whose presence the operator asks about (the CRD probe's resourceNames). */
export const OPTIONAL_CRDS: readonly string[] = CHILD_KINDS.flatMap((child) => (child.crd ? [child.crd] : []));

export const childKind = (kind: string): ChildKind | undefined => CHILD_KINDS.find((child) => child.kind === kind);

/** The API group of an apiVersion: `apps/v1` → `apps`, the core `v1` → ``. */
export const apiGroupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
