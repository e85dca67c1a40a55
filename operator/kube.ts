// A small Kubernetes REST client over the kubeconfig's TLS settings: server-side apply, merge
// patches, reads and lists of plain JSON objects. Plain JSON, not the generated models, so that
// custom resources (City, CloudNativePG, ServiceMonitor) and newer fields pass through untouched.
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { CHILD_KINDS } from './city/children.js';
import { KIND, PLURAL } from './city/types.js';

export interface KubeObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export class KubeError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export const isNotFound = (error: unknown) => error instanceof KubeError && error.code === 404;
export const isConflict = (error: unknown) => error instanceof KubeError && error.code === 409;
/** A 409 anywhere in the chain of causes: reconcile names the child it applied and keeps the API server's error as the cause. */
export const causedByConflict = (error: unknown): boolean =>
  isConflict(error) || (error instanceof Error && error.cause !== undefined && causedByConflict(error.cause));
/** A create of a name already taken: a 409 too, but not a conflict of versions. */
export const isAlreadyExists = (error: unknown) =>
  error instanceof KubeError && error.code === 409 && (error.body as { reason?: string } | undefined)?.reason === 'AlreadyExists';

const PLURALS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(CHILD_KINDS.map((child) => [child.kind, child.plural])),
  [KIND]: PLURAL,
  Secret: 'secrets',
  Event: 'events',
  Namespace: 'namespaces',
  Lease: 'leases',
  CustomResourceDefinition: 'customresourcedefinitions',
  // Only the tests and tools apply these (the chart's RBAC).
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
};

/** The REST path of a collection (no name) or of one object. */
export function resourcePath(apiVersion: string, kind: string, namespace?: string, name?: string): string {
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`no REST path known for kind ${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The resource (plural) a REST path names, for the request counter's label. */
export function resourceOf(path: string): string {
  return /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/[^/]+(?=\/))?\/([^/?]+)/.exec(path)?.[1] ?? 'other';
}

export interface KubeClientOptions {
  /** Counts every request by verb, so that a test (or a dashboard) sees writes. */
  readonly requests?: Counter<'verb' | 'resource'>;
}

/** One request to the API server: a path, a JSON body, and the parsed JSON answer, or a KubeError. */
export type KubeTransport = <T>(method: string, path: string, body?: unknown, contentType?: string, accept?: string) => Promise<T>;

export type Kube = ReturnType<typeof kubeClient>;

export function createKube(kubeConfig: KubeConfig, options: KubeClientOptions = {}): Kube {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = new URL(cluster.server);

  async function send<T>(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<T> {
    const requestOptions: RequestOptions = { method, headers: { accept } };
    await kubeConfig.applyToHTTPSOptions(requestOptions);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined)
      requestOptions.headers = { ...requestOptions.headers, 'content-type': contentType, 'content-length': Buffer.byteLength(payload) };
    options.requests?.inc({ verb: method, resource: resourceOf(path) });
    const url = new URL(path, server);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = send(url, requestOptions, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (status >= 400) {
      const message = (parsed as { message?: string } | undefined)?.message ?? text;
      throw new KubeError(status, `${method} ${path}: ${status} ${message}`, parsed);
    }
    return parsed as T;
  }

  return kubeClient(send);
}

/** The verbs over a transport: HTTP to an API server above, a Map in test/support/memory-kube.ts. */
export function kubeClient(send: KubeTransport) {
  return {
    send,
    get: <T>(path: string) => send<T>('GET', path),
    async getOrUndefined<T>(path: string): Promise<T | undefined> {
      try {
        return await send<T>('GET', path);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    list: <T>(path: string, labelSelector?: string) =>
      send<{ metadata: { resourceVersion: string }; items: T[] }>('GET', labelSelector ? `${path}?labelSelector=${encodeURIComponent(labelSelector)}` : path),
    /** Server-side apply under `fieldManager`, forcing ownership: the operator is the authority on what it applies. */
    apply<T>(object: KubeObjectRef, fieldManager: string): Promise<T> {
      const path = resourcePath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name);
      return send<T>('PATCH', `${path}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, object, 'application/apply-patch+yaml');
    },
    mergePatch: <T>(path: string, patch: unknown) => send<T>('PATCH', path, patch, 'application/merge-patch+json'),
    jsonPatch: <T>(path: string, patch: unknown) => send<T>('PATCH', path, patch, 'application/json-patch+json'),
    create: <T>(path: string, body: unknown) => send<T>('POST', path, body),
    replace: <T>(path: string, body: unknown) => send<T>('PUT', path, body),
    delete: (path: string) => send<unknown>('DELETE', path),
  };
}
