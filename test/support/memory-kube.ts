// A Kubernetes API server in memory, for the operator's unit tests: a transport over a Map of JSON
// objects, under the real client's verbs (operator/kube.ts's kubeClient), so that paths, apply's
// query and errors are the client's own. It keeps what the reconciler relies on: NotFound (404),
// AlreadyExists and resourceVersion preconditions (409), a generation that moves only with the
// spec, the status subresource, finalizers that hold a deletion, server-side apply by field
// manager, label selectors, and custom resources served only while their CRD is installed. Watches,
// garbage collection, validation and defaulting are the real control plane's, in test/cluster/.
import { randomUUID } from 'node:crypto';
import { childKind } from '../../operator/city/children.js';
import type { ChildLookup, ObservedObject } from '../../operator/city/observe.js';
import { type City, GROUP, PLURAL } from '../../operator/city/types.js';
import { type Kube, kubeClient, KubeError, resourcePath } from '../../operator/kube.js';

type Json = Record<string, any>;

export type KubeRequest = { readonly method: string; readonly path: string };
export type AdmissionRequest = {
  readonly verb: 'create' | 'update' | 'patch' | 'apply' | 'delete';
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly subresource?: string;
};
/** A refusal as a validating webhook gives it; the API server answers the request with it. */
export type Refusal = { readonly code: number; readonly reason: string; readonly message: string };

export interface MemoryKube extends Kube {
  /** Every request, in order: what the real client's request counter would count. */
  readonly requests: readonly KubeRequest[];
  /** Adds an admission check (a validating webhook) that sees every write first; returns its removal. */
  admit(check: (request: AdmissionRequest) => Refusal | undefined): () => void;
  /** The controller's watch caches, always current: children of the table's kinds, if served. */
  readonly lookup: ChildLookup;
  /** The controller's City caches, always current: every City of every namespace. */
  readonly cities: () => City[];
}

/** Groups the API server serves without a CRD; any other group's resources need theirs installed. */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'coordination.k8s.io',
  'rbac.authorization.k8s.io',
  'apiextensions.k8s.io',
]);

type Target = {
  readonly group: string;
  readonly collection: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly query: URLSearchParams;
};
/** An object, and each field manager's last applied configuration: what server-side apply may remove again. */
type Stored = { object: Json; readonly applied: Map<string, Json> };

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const clone = <T>(value: T): T => structuredClone(value);

export function createMemoryKube(): MemoryKube {
  const objects = new Map<string, Stored>();
  const requests: KubeRequest[] = [];
  const admissions = new Set<(request: AdmissionRequest) => Refusal | undefined>();
  let revision = 100;

  const keyOf = (target: Target, name = target.name) => `${target.collection}|${target.namespace ?? ''}|${name}`;
  const served = (target: Target) =>
    BUILT_IN_GROUPS.has(target.group) || objects.has(`apis/apiextensions.k8s.io/customresourcedefinitions||${target.plural}.${target.group}`);

  function parse(method: string, path: string): Target {
    const url = new URL(path, 'http://memory');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const prefix = segments[0] === 'api' ? segments.slice(0, 2) : segments.slice(0, 3);
    let rest = segments.slice(prefix.length);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
    const [plural, name, subresource] = rest;
    // Of the subresources only status: the reconciler uses no other.
    if (!plural || rest.length > 3 || (subresource !== undefined && subresource !== 'status'))
      throw failure(method, path, 404, 'NotFound', 'the server could not find the requested resource');
    const group = prefix[0] === 'api' ? '' : (prefix[1] ?? '');
    return { group, collection: `${prefix[0]}/${group}/${plural}`, plural, namespace, name, subresource, query: url.searchParams };
  }

  const transport = async <T>(method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<T> => {
    requests.push({ method, path });
    if (!accept.startsWith('application/json') || accept.includes('as='))
      throw failure(method, path, 406, 'NotAcceptable', `only JSON objects are served, not ${accept}`);
    const target = parse(method, path);
    if (!served(target)) throw failure(method, path, 404, 'NotFound', 'the server could not find the requested resource');
    const resource = target.group ? `${target.plural}.${target.group}` : target.plural;
    const stored = target.name === undefined ? undefined : objects.get(keyOf(target));
    const notFound = () => failure(method, path, 404, 'NotFound', `${resource} "${target.name}" not found`);
    const conflict = () =>
      failure(
        method,
        path,
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resource} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    const precondition = (resourceVersion: unknown) => {
      if (stored && resourceVersion !== undefined && resourceVersion !== stored.object.metadata.resourceVersion) throw conflict();
    };

    /** Admission, then the server's own rules, then the store: the one way every write goes. */
    function commit(verb: AdmissionRequest['verb'], next: Json, name: string): T {
      const before = objects.get(keyOf(target, name));
      if (target.subresource === 'status' && !before) throw notFound();
      const kind = String(next.kind ?? before?.object.kind ?? target.plural);
      for (const check of admissions) {
        const refusal = check({ verb, kind, namespace: target.namespace, name, subresource: target.subresource });
        if (refusal) throw failure(method, path, refusal.code, refusal.reason, refusal.message);
      }
      if (target.subresource === 'status') next = { ...clone(before!.object), status: next.status };
      else if (before) next.status = clone(before.object.status);
      else delete next.status;
      if (kind === 'Secret' && isObject(next.stringData)) {
        next.data = {
          ...next.data,
          ...Object.fromEntries(Object.entries(next.stringData).map(([key, value]) => [key, Buffer.from(String(value)).toString('base64')])),
        };
        delete next.stringData;
      }
      const old = before?.object.metadata ?? {};
      const finalizers: string[] = next.metadata?.finalizers ?? [];
      if (old.deletionTimestamp && finalizers.some((finalizer) => !(old.finalizers ?? []).includes(finalizer))) {
        throw failure(
          method,
          path,
          422,
          'Invalid',
          `${resource} "${name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted`,
        );
      }
      const system = before
        ? {
            uid: old.uid,
            creationTimestamp: old.creationTimestamp,
            generation: old.generation,
            resourceVersion: old.resourceVersion,
            ...(old.deletionTimestamp ? { deletionTimestamp: old.deletionTimestamp } : {}),
          }
        : { uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), generation: 1 };
      next.metadata = { ...next.metadata, name, ...(target.namespace ? { namespace: target.namespace } : {}), ...system };
      if (!next.metadata.finalizers?.length) delete next.metadata.finalizers;
      if (before && canonical(next) === canonical(before.object)) return clone(before.object) as T; // a no-op writes nothing
      const { metadata: _m, status: _s, ...spec } = next;
      const { metadata: _bm, status: _bs, ...specBefore } = before?.object ?? {};
      if (before && canonical(spec) !== canonical(specBefore)) next.metadata.generation = Number(old.generation) + 1;
      next.metadata.resourceVersion = String(++revision);
      if (next.metadata.deletionTimestamp && !next.metadata.finalizers) objects.delete(keyOf(target, name));
      else objects.set(keyOf(target, name), { object: next, applied: before?.applied ?? new Map() });
      return clone(next) as T;
    }

    switch (method) {
      case 'GET': {
        if (target.name !== undefined) {
          if (!stored) throw notFound();
          return clone(stored.object) as T;
        }
        const selector = target.query.get('labelSelector');
        const items = [...objects.entries()]
          .filter(([key]) => key.startsWith(`${target.collection}|${target.namespace === undefined ? '' : `${target.namespace}|`}`))
          .map(([, { object }]) => clone(object))
          .filter((object) => selector === null || matches(selector, object.metadata.labels ?? {}));
        return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(revision) }, items } as T;
      }
      case 'POST': {
        const object = clone(body) as Json;
        const name = object.metadata?.name ?? (object.metadata?.generateName ? `${object.metadata.generateName}${randomUUID().slice(0, 5)}` : undefined);
        if (target.name !== undefined || typeof name !== 'string')
          throw failure(method, path, 400, 'BadRequest', 'a create names its object in metadata.name, on the collection');
        if (object.metadata.namespace !== undefined && object.metadata.namespace !== target.namespace) {
          throw failure(method, path, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
        }
        if (object.metadata.resourceVersion !== undefined)
          throw failure(method, path, 400, 'BadRequest', 'resourceVersion should not be set on objects to be created');
        if (objects.has(keyOf(target, name))) throw failure(method, path, 409, 'AlreadyExists', `${resource} "${name}" already exists`);
        return commit('create', object, name);
      }
      case 'PUT': {
        if (!stored || target.name === undefined) throw notFound();
        const object = clone(body) as Json;
        precondition(object.metadata?.resourceVersion);
        return commit('update', object, target.name);
      }
      case 'PATCH': {
        if (target.name === undefined) throw failure(method, path, 405, 'MethodNotAllowed', 'a collection cannot be patched');
        const patch = clone(body) as Json;
        if (contentType === 'application/apply-patch+yaml') {
          if (target.subresource === undefined && patch.metadata?.name !== target.name)
            throw failure(method, path, 400, 'BadRequest', 'the name of the object does not match the name on the URL');
          precondition(patch.metadata?.resourceVersion);
          const manager = target.query.get('fieldManager');
          if (!manager) throw failure(method, path, 400, 'BadRequest', 'PATCH with an apply patch requires a fieldManager');
          delete patch.metadata?.resourceVersion;
          if (target.subresource === undefined) delete patch.status; // status has its own subresource
          const others = [...(stored?.applied ?? [])].filter(([other]) => other !== manager);
          if (target.query.get('force') !== 'true') {
            const clash = others.find(([, config]) =>
              leaves(patch).some((leaf) => leafAt(config, leaf) !== undefined && JSON.stringify(leafAt(config, leaf)) !== JSON.stringify(leafAt(patch, leaf))),
            );
            if (clash) throw failure(method, path, 409, 'Conflict', `Apply failed with 1 conflict: conflict with "${clash[0]}"`);
          }
          // Fields this manager applied last time and no longer applies go, unless another applies them too.
          const base = clone(stored?.object ?? {});
          const previous = stored?.applied.get(manager) ?? {};
          for (const leaf of leaves(previous)) {
            if (leafAt(patch, leaf) === undefined && others.every(([, config]) => leafAt(config, leaf) === undefined)) removeAt(base, leaf);
          }
          const result = commit(stored ? 'apply' : 'create', overlay(base, patch) as Json, target.name);
          objects.get(keyOf(target))?.applied.set(manager, patch);
          return result;
        }
        if (!stored) throw notFound();
        if (contentType === 'application/merge-patch+json') {
          precondition(patch.metadata?.resourceVersion);
          if (isObject(patch.metadata)) delete patch.metadata.resourceVersion;
          return commit('patch', mergePatch(clone(stored.object), patch) as Json, target.name);
        }
        if (contentType === 'application/json-patch+json') {
          const next = jsonPatch(clone(stored.object), body as JsonPatchOperation[], (message) => failure(method, path, 422, 'Invalid', message));
          precondition(next.metadata?.resourceVersion);
          return commit('patch', next, target.name);
        }
        throw failure(method, path, 415, 'UnsupportedMediaType', `the patch type ${contentType} is not served here`);
      }
      case 'DELETE': {
        if (!stored || target.name === undefined) throw notFound();
        for (const check of admissions) {
          const refusal = check({ verb: 'delete', kind: String(stored.object.kind), namespace: target.namespace, name: target.name });
          if (refusal) throw failure(method, path, refusal.code, refusal.reason, refusal.message);
        }
        if (!stored.object.metadata.finalizers?.length) {
          objects.delete(keyOf(target));
          return clone(stored.object) as T;
        }
        if (!stored.object.metadata.deletionTimestamp) {
          stored.object.metadata = {
            ...stored.object.metadata,
            deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
            resourceVersion: String(++revision),
          };
        }
        return clone(stored.object) as T;
      }
      default:
        throw failure(method, path, 405, 'MethodNotAllowed', `${method} is not served`);
    }
  };

  const lookup: ChildLookup = (kind, namespace, name) => {
    const child = childKind(kind);
    if (!child) return undefined;
    const target = parse('GET', resourcePath(child.apiVersion, child.kind, namespace, name));
    if (!served(target)) return undefined;
    const stored = objects.get(keyOf(target));
    return stored && (clone(stored.object) as ObservedObject);
  };

  return {
    ...kubeClient(transport),
    requests,
    admit(check) {
      admissions.add(check);
      return () => void admissions.delete(check);
    },
    lookup,
    cities: () => [...objects.entries()].filter(([key]) => key.startsWith(`apis/${GROUP}/${PLURAL}|`)).map(([, { object }]) => clone(object) as City),
  };
}

/** The same KubeError, message and Status body the real client raises for an API server's refusal. */
function failure(method: string, path: string, code: number, reason: string, message: string): KubeError {
  return new KubeError(code, `${method} ${path}: ${code} ${message}`, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

/** JSON with sorted keys: equal objects compare equal whatever order their fields were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, node: unknown) =>
    isObject(node) ? Object.fromEntries(Object.entries(node).sort(([a], [b]) => a.localeCompare(b))) : node,
  );
}

/** Equality (`k=v`, `k==v`), inequality (`k!=v`), existence (`k`) and absence (`!k`), comma for and. */
function matches(selector: string, labels: Record<string, string>): boolean {
  return selector.split(',').every((term) => {
    const [, key = '', operator, value] = /^\s*(!?[^=!\s]+)\s*(==|=|!=)?\s*(.*?)\s*$/.exec(term) ?? [];
    if (!operator) return key.startsWith('!') ? !(key.slice(1) in labels) : key in labels;
    return operator === '!=' ? labels[key] !== value : labels[key] === value;
  });
}

/** RFC 7386: objects merge, null removes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Server-side apply's merge: maps field by field, lists and scalars replaced whole (atomic). */
function overlay(target: unknown, config: unknown): unknown {
  if (!isObject(config) || !isObject(target)) return clone(config);
  const result: Json = { ...target };
  for (const [key, value] of Object.entries(config)) result[key] = overlay(target[key], value);
  return result;
}

/** The paths of an object's non-map values: the fields a configuration sets. */
function leaves(value: unknown, prefix: readonly string[] = []): string[][] {
  if (!isObject(value)) return [[...prefix]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, [...prefix, key]));
}

function leafAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Json)[key] : undefined), value);
}

function removeAt(value: Json, path: readonly string[]): void {
  const parent = leafAt(value, path.slice(0, -1));
  if (isObject(parent)) delete parent[path[path.length - 1]!];
}

export type JsonPatchOperation = { readonly op: 'add' | 'remove' | 'replace' | 'test'; readonly path: string; readonly value?: unknown };

/** RFC 6902's add, remove, replace and test, on JSON pointers (`~1` for `/`, `~0` for `~`). */
function jsonPatch(document: Json, operations: readonly JsonPatchOperation[], invalid: (message: string) => Error): Json {
  for (const { op, path, value } of operations) {
    const keys = path
      .split('/')
      .slice(1)
      .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    const parent = leafAt(document, keys) as Json | unknown[] | undefined;
    if (last === undefined || typeof parent !== 'object' || parent === null) throw invalid(`${op} ${path}: no such parent`);
    const present = Array.isArray(parent) ? Number(last) < parent.length : last in parent;
    if (op === 'test') {
      if (JSON.stringify((parent as Json)[last]) !== JSON.stringify(value)) throw invalid(`test ${path}: the value differs`);
    } else if (op !== 'add' && !present) {
      throw invalid(`${op} ${path}: no such value`);
    } else if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      parent.splice(index, op === 'add' ? 0 : 1, ...(op === 'remove' ? [] : [clone(value)]));
    } else if (op === 'remove') {
      delete parent[last];
    } else {
      parent[last] = clone(value);
    }
  }
  return document;
}
