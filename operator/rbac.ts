// Exactly what the operator does with each resource, kept beside the code that does it;
// manifests/ turns it into the cdk8s app's RBAC and the Helm chart's (charts/crashdesk/files/rbac).
// The children's rules and the CRD probe come from the one table of children (city/children.ts).
import { apiGroupOf, CHILD_KINDS, OPTIONAL_CRDS } from './city/children.js';
import { PLATFORM_REPLICATION_SECRET } from './city/types.js';

export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** Children: watched (list, watch) and server-side applied (create, patch); the replaceable autoscalers also deleted. */
const childRule = (apiGroup: string, resources: string[], replaceable: boolean): PolicyRule => ({
  apiGroups: [apiGroup],
  resources,
  verbs: ['list', 'watch', 'create', 'patch', ...(replaceable ? ['delete'] : [])],
});

/** One rule per API group (and per verb set within it), in the table's order, so that the generated files read as before. */
function childRules(): PolicyRule[] {
  const byGroup = new Map<string, { group: string; replaceable: boolean; plurals: string[] }>();
  for (const { apiVersion, plural, replaceable = false } of CHILD_KINDS) {
    const group = apiGroupOf(apiVersion);
    const key = `${group}|${replaceable}`;
    byGroup.set(key, { group, replaceable, plurals: [...(byGroup.get(key)?.plurals ?? []), plural] });
  }
  return [...byGroup.values()].map(({ group, plurals, replaceable }) => childRule(group, plurals, replaceable));
}

/** What the operator does in each namespace whose Cities it reconciles. */
export const namespaceRules: readonly PolicyRule[] = [
  // Cities: watched; finalizer and site number by merge patch; status through its subresource.
  { apiGroups: ['crashdesk.io'], resources: ['cities'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: ['crashdesk.io'], resources: ['cities/status'], verbs: ['patch'] },
  // Owner references with blockOwnerDeletion need update on the owner's finalizers.
  { apiGroups: ['crashdesk.io'], resources: ['cities/finalizers'], verbs: ['update'] },
  ...childRules(),
  // Secrets: read only the namespace's platform replication secret, by name; create the ones the
  // operator makes once (a city's derived key, named by its content; the admin password; the api's
  // database login). Kubernetes cannot limit create to names, but a create reads and changes nothing.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [PLATFORM_REPLICATION_SECRET] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/** Cluster-scoped, so always in a ClusterRole: only to learn whether the optional CRDs are installed. */
export const crdProbeRules: readonly PolicyRule[] = [
  {
    apiGroups: ['apiextensions.k8s.io'],
    resources: ['customresourcedefinitions'],
    verbs: ['get'],
    resourceNames: [...OPTIONAL_CRDS],
  },
];

/** Watching every namespace: one ClusterRole holds both. */
export const clusterRules: readonly PolicyRule[] = [...namespaceRules, ...crdProbeRules];

/** In the operator's own namespace only: its leader Lease. */
export const leaseRules = (leaseName: string): readonly PolicyRule[] => [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [leaseName] },
];
