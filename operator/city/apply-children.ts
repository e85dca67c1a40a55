// Writing a City's children: nothing when nothing changed since the last apply; otherwise the
// autoscaler it replaced is deleted, the Secrets it seeds are created once, and every child is
// server-side applied under the one field manager, remembering what the API server returned.
import type { Logger } from 'pino';
import { isAlreadyExists, isNotFound, type Kube, resourcePath } from '../kube.js';
import { childKind, WATCHED_KINDS } from './children.js';
import type { EventRecorder } from './events.js';
import type { KubeObject } from './metadata.js';
import { type ChildLookup, childKey, replacedAutoscalers, versionOf } from './observe.js';
import { type City, FIELD_MANAGER } from './types.js';

export interface ChildWriterDeps {
  readonly kube: Kube;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly lookup: ChildLookup;
}

/** What the last full pass applied, so that an unchanged City with untouched children is skipped. */
interface Applied {
  readonly generation: number;
  readonly fingerprint: string;
  readonly versions: ReadonlyMap<string, string>;
}

export function createChildWriter({ kube, events, logger, lookup }: ChildWriterDeps) {
  const applied = new Map<string, Applied>();

  function unchangedSinceLastApply(key: string, city: City, children: readonly KubeObject[]): boolean {
    const last = applied.get(key);
    if (!last || last.generation !== city.metadata.generation || city.status?.observedGeneration !== city.metadata.generation) return false;
    if (last.fingerprint !== JSON.stringify(children)) return false;
    const changed = children.find((child) => {
      const seen = lookup(child.kind, child.metadata.namespace ?? '', child.metadata.name);
      // Kinds without a watch cache (Secret) count as unchanged: they carry nothing a person edits.
      return seen === undefined ? WATCHED_KINDS.has(child.kind) : last.versions.get(childKey(child)) !== versionOf(seen);
    });
    if (changed) logger.debug({ city: key, child: childKey(changed) }, 'a child changed since the last apply');
    return changed === undefined;
  }

  /** Before any apply: KEDA's webhook refuses a ScaledObject for a Deployment that an HPA still scales. */
  async function deleteReplacedAutoscalers(city: City, children: readonly KubeObject[]) {
    const replacement = children.find((child) => childKind(child.kind)?.replaceable);
    for (const { apiVersion, kind, metadata } of replacedAutoscalers(city, children, lookup)) {
      await kube.delete(resourcePath(apiVersion, kind, metadata.namespace, metadata.name)).catch((error: unknown) => {
        if (!isNotFound(error)) throw new Error(`deleting ${kind} ${metadata.name}`, { cause: error });
      });
      await events.normal(
        city,
        'AutoscalerReplaced',
        `deleted ${kind} ${metadata.name}: ${replacement?.kind} ${replacement?.metadata.name} scales the api now`,
      );
    }
  }

  async function applyAll(key: string, city: City, children: readonly KubeObject[], seeds: readonly KubeObject[], remember: boolean) {
    const versions = new Map<string, string>();
    const created = children.filter((child) => WATCHED_KINDS.has(child.kind) && !lookup(child.kind, child.metadata.namespace ?? '', child.metadata.name));
    await deleteReplacedAutoscalers(city, children);
    // Created before the pods that mount them, and never again: a Secret that exists is kept as it is.
    for (const seed of seeds) {
      await kube.create(resourcePath('v1', 'Secret', city.metadata.namespace), seed).catch((error: unknown) => {
        if (!isAlreadyExists(error)) throw new Error(`creating Secret ${seed.metadata.name}`, { cause: error });
      });
    }
    // Server-side apply needs no order: whatever is missing for a moment (the ServiceAccount for the
    // first pods, the Secret for the api) the owning controllers retry.
    await Promise.all(
      children.map(async (child) => {
        const result = await kube.apply<{ metadata: object; status?: unknown }>(child, FIELD_MANAGER).catch((error: unknown) => {
          throw new Error(`applying ${child.kind} ${child.metadata.name}`, { cause: error });
        });
        versions.set(childKey(child), versionOf(result));
      }),
    );
    if (created.length > 0)
      await events.normal(city, 'Applied', `created or repaired ${created.map((child) => `${child.kind} ${child.metadata.name}`).join(', ')}`);
    if (city.status?.observedGeneration !== city.metadata.generation && city.status?.observedGeneration !== undefined) {
      await events.normal(city, 'Updated', `applied generation ${city.metadata.generation}`);
    }
    if (remember) applied.set(key, { generation: city.metadata.generation, fingerprint: JSON.stringify(children), versions });
    else applied.delete(key);
  }

  return {
    /**
     * Applies the City's children unless nothing changed since the last apply. `remember` false (the
     * pass failed elsewhere, at Vault) forgets the last apply, so that the next pass applies again.
     */
    async write(key: string, city: City, children: readonly KubeObject[], seeds: readonly KubeObject[], remember: boolean): Promise<void> {
      if (!unchangedSinceLastApply(key, city, children)) return applyAll(key, city, children, seeds, remember);
      logger.debug({ city: key }, 'unchanged since the last apply; nothing to write');
      if (!remember) applied.delete(key);
    },
    forget(key: string) {
      applied.delete(key);
    },
  };
}
