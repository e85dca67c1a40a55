// helm (built from Go modules with the test binaries) against the run's cluster, with its cache,
// configuration and data in a directory of its own rather than the user's home.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { ensureTestbin } from '../controlplane/testbin.js';

const run = promisify(execFile);
export const CHART = fileURLToPath(new URL('../../charts/crashdesk', import.meta.url));

export interface Helm {
  readonly kubernetesVersion: string;
  /** Runs helm and returns its stdout; a failure carries helm's stderr. */
  run(args: readonly string[]): Promise<string>;
  /** `helm template` of the chart, parsed into objects. */
  template(release: string, namespace: string, args?: readonly string[]): Promise<RenderedObject[]>;
  remove(): Promise<void>;
}

export type RenderedObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: any;
};

export async function createHelm(kubeconfigPath: string): Promise<Helm> {
  const testbin = await ensureTestbin({ log: () => undefined });
  const home = await mkdtemp(join(tmpdir(), 'crashdesk-helm-'));
  const env = {
    PATH: process.env.PATH,
    // client-go keeps its discovery cache under $HOME/.kube; without HOME that is the working directory.
    HOME: home,
    KUBECONFIG: kubeconfigPath,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
  const helm: Helm = {
    kubernetesVersion: testbin.kubernetesVersion,
    async run(args) {
      try {
        const { stdout } = await run(testbin.binary('helm'), [...args], { env, maxBuffer: 64 * 1024 * 1024 });
        return stdout;
      } catch (error) {
        const { stderr, stdout } = error as { stderr?: string; stdout?: string };
        throw new Error(`helm ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
      }
    },
    async template(release, namespace, args = []) {
      const text = await helm.run(['template', release, CHART, '--namespace', namespace, '--kube-version', testbin.kubernetesVersion, ...args]);
      return parseAllDocuments(text)
        .map((document) => document.toJS() as RenderedObject | null)
        .filter((object): object is RenderedObject => object !== null);
    },
    remove: () => rm(home, { recursive: true, force: true }),
  };
  return helm;
}
