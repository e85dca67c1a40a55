// What every child of a City carries, so that watches find them and garbage collection removes them.
import { API_VERSION, type City, FIELD_MANAGER, KIND } from './types.js';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': FIELD_MANAGER } as const;
export const MANAGED_SELECTOR = `app.kubernetes.io/managed-by=${FIELD_MANAGER}`;

/** Metadata of every child: in the City's namespace, labelled, owned (garbage collection). */
export function childMetadata(city: City, name: string, labels: Record<string, string> = {}) {
  return {
    name,
    namespace: city.metadata.namespace,
    labels: { ...MANAGED_BY, 'crashdesk.io/city': city.metadata.name, ...labels },
    ownerReferences: [{ apiVersion: API_VERSION, kind: KIND, name: city.metadata.name, uid: city.metadata.uid, controller: true, blockOwnerDeletion: true }],
  };
}
