import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, type KubeConfig, KubernetesObjectApi, type KubernetesObject, PatchStrategy, loadAllYaml } from '@kubernetes/client-node';
import { waitUntil } from './processes.js';

const fieldManager = 'crashdesk-test-setup';

/** The upstream CRDs kept as test data in the workspace's `shared/crds/`, beside the repository. */
export const upstreamCrdDirectory = fileURLToPath(new URL('../../../shared/crds/', import.meta.url));

/**
 * Installs every CustomResourceDefinition found in the YAML files under `dir` with server-side
 * apply (the CloudNativePG ones are too large for the client-side last-applied annotation) and
 * waits until each is Established, so that tests can create objects of its kinds at once.
 */
export async function installCrds(kubeConfig: KubeConfig, dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => /\.ya?ml$/.test(file)).sort();
  const crds: KubernetesObject[] = [];
  for (const file of files) {
    const documents = loadAllYaml(await readFile(join(dir, file), 'utf8')) as (KubernetesObject | null)[];
    crds.push(...documents.filter((document) => document?.kind === 'CustomResourceDefinition').map((crd) => crd as KubernetesObject));
  }
  if (crds.length === 0) throw new Error(`no CustomResourceDefinition found under ${dir}`);

  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const crd of crds) {
    await objects.patch(crd, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply).catch((error: unknown) => {
      throw new Error(`applying CRD ${crd.metadata?.name}`, { cause: error });
    });
  }

  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const names = crds.map((crd) => crd.metadata?.name ?? '');
  await waitUntil(`${names.length} CRDs to be Established`, async () => {
    const states = await Promise.all(names.map((name) => extensions.readCustomResourceDefinition({ name })));
    return states.every((crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'));
  });
  return names;
}
