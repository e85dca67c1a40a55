import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { TestProject } from 'vitest/node';
import { type ControlPlane, startControlPlane } from '../controlplane/cluster.js';
import { installCrds, upstreamCrdDirectory } from '../controlplane/crds.js';
import { ensureTestbin } from '../controlplane/testbin.js';
import { type TransitServer, startTransit } from '../controlplane/transit.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the cluster the run uses, with the upstream CRDs installed. */
    kubeconfigPath: string;
    /** `local`: the run's own control plane; `external`: the cluster of the caller's KUBECONFIG. */
    clusterMode: 'local' | 'external';
    /** Vault-compatible server with the transit engine mounted at `transit/`. */
    vaultAddress: string;
    vaultToken: string;
  }
}

/**
 * One cluster and one transit server for the whole `cluster` project. By default a local control
 * plane is built (once) and started; `CRASHDESK_TEST_CLUSTER=external` uses the cluster of the
 * current KUBECONFIG instead, e.g. kind on a laptop. `CRASHDESK_TEST_VAULT_ADDR` and
 * `CRASHDESK_TEST_VAULT_TOKEN` point the tests at a real OpenBao or Vault with transit mounted.
 */
export default async function setup(project: TestProject) {
  const mode = process.env.CRASHDESK_TEST_CLUSTER ?? 'local';
  if (mode !== 'local' && mode !== 'external') {
    throw new Error(`CRASHDESK_TEST_CLUSTER must be "local" or "external", not "${mode}"`);
  }
  const teardown: (() => Promise<void>)[] = [];
  const log = (line: string) => console.error(line);
  try {
    const externalVault = externalVaultFromEnvironment();
    let kubeconfigPath: string;
    if (mode === 'external') {
      kubeconfigPath = await exportCurrentKubeconfig(teardown);
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(kubeconfigPath);
      log(`cluster tests: using external cluster ${kubeConfig.getCurrentCluster()?.server ?? '(unknown)'}`);
      await installCrds(kubeConfig, upstreamCrdDirectory);
    } else {
      const controlPlane: ControlPlane = await startControlPlane({ crdDirectory: upstreamCrdDirectory, log });
      teardown.push(() => controlPlane.stop());
      kubeconfigPath = controlPlane.kubeconfigPath;
      log(`cluster tests: control plane ready in ${controlPlane.startedInMs} ms, KUBECONFIG=${kubeconfigPath}`);
    }
    const vault = externalVault ?? (await startLocalTransit(teardown, log));

    project.provide('kubeconfigPath', kubeconfigPath);
    project.provide('clusterMode', mode);
    project.provide('vaultAddress', vault.address);
    project.provide('vaultToken', vault.token);
  } catch (error) {
    await runTeardown(teardown);
    throw error;
  }
  return () => runTeardown(teardown);
}

async function runTeardown(teardown: readonly (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of [...teardown].reverse()) await step().catch((error: unknown) => failures.push(error));
  if (failures.length > 0) throw new AggregateError(failures, 'tearing down the cluster test environment');
}

function externalVaultFromEnvironment(): { address: string; token: string } | undefined {
  const address = process.env.CRASHDESK_TEST_VAULT_ADDR;
  const token = process.env.CRASHDESK_TEST_VAULT_TOKEN;
  if (address === undefined && token === undefined) return undefined;
  if (address === undefined || token === undefined) {
    throw new Error('set both CRASHDESK_TEST_VAULT_ADDR and CRASHDESK_TEST_VAULT_TOKEN, or neither');
  }
  return { address, token };
}

/** KUBECONFIG may list several files; the tests get one file holding the merged result. */
async function exportCurrentKubeconfig(teardown: (() => Promise<void>)[]): Promise<string> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  if (kubeConfig.getCurrentCluster() === null) {
    throw new Error('CRASHDESK_TEST_CLUSTER=external, but the current KUBECONFIG has no current cluster');
  }
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-external-'));
  teardown.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, kubeConfig.exportConfig(), { mode: 0o600 });
  return path;
}

async function startLocalTransit(teardown: (() => Promise<void>)[], log: (line: string) => void): Promise<TransitServer> {
  const testbin = await ensureTestbin({ log });
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-transit-'));
  teardown.push(() => rm(dir, { recursive: true, force: true }));
  const transit = await startTransit(testbin, dir);
  teardown.push(() => transit.process.stop());
  return transit;
}
