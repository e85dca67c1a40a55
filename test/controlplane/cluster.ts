import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { type Ports, apiserverArgs, controllerManagerArgs, etcdArgs, kubernetesServiceIp, kwokArgs, schedulerArgs } from './components.js';
import { installCrds } from './crds.js';
import { addFakeNodes } from './nodes.js';
import { clientTls, createPki, httpsOk, writeKubeconfig } from './pki.js';
import { type ManagedProcess, freePort, isGroupAlive, killGroupsNow, launch, logTail, waitUntil } from './processes.js';
import { ensureTestbin } from './testbin.js';
import { type VaultEndpoint, startTransit } from './transit.js';

export interface ControlPlaneOptions {
  /** Fake nodes to register with KWOK. Default 3. */
  readonly nodes?: number;
  /** Also start the Vault-compatible transit server. */
  readonly vault?: boolean;
  /** Install (server-side apply) every CRD under this directory once the API is up. */
  readonly crdDirectory?: string;
  /** Keep the state directory (logs, etcd data, certificates) after stop, for a post-mortem. */
  readonly keepDirectory?: boolean;
  readonly log?: (line: string) => void;
}

export interface ControlPlane {
  readonly kubeconfigPath: string;
  /** Temporary directory holding every component's log, the certificates and etcd's data. */
  readonly directory: string;
  readonly vault?: VaultEndpoint;
  /** A kubectl of the same Kubernetes version, for people exploring the cluster. */
  readonly kubectl: string;
  /** Process-group ids of every component, for checking that none outlives `stop()`. */
  readonly pids: readonly number[];
  /** From the call to everything requested being ready, including the transit server and CRDs. */
  readonly startedInMs: number;
  stop(): Promise<void>;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK with fake nodes on
 * free loopback ports, and resolves once each is ready: the API serves /readyz, the controllers
 * and scheduler are healthy, the default ServiceAccount exists and every node is Ready.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const { nodes = 3, log = (line) => console.error(line) } = options;
  const started = performance.now();
  const testbin = await ensureTestbin({ log });
  const directory = await mkdtemp(join(tmpdir(), 'crashdesk-controlplane-'));
  const processes: ManagedProcess[] = [];
  // If the process running us ends without calling stop() (a crash, process.exit in a test
  // runner), the components must not outlive it.
  const killOnExit = () => killGroupsNow(processes);
  process.once('exit', killOnExit);

  const stopAll = async (keepDirectory: boolean) => {
    process.removeListener('exit', killOnExit);
    // Reverse order: clients before the API server, the API server before etcd.
    for (const managed of [...processes].reverse()) await managed.stop();
    const survivors = processes.filter((managed) => isGroupAlive(managed.pid));
    if (survivors.length > 0) {
      throw new Error(`still running after stop: ${survivors.map((s) => `${s.name} (${s.pid})`).join(', ')}`);
    }
    if (!keepDirectory) await rm(directory, { recursive: true, force: true });
  };
  const stop = () => stopAll(options.keepDirectory === true);

  try {
    const ports: Ports = {
      etcdClient: await freePort(),
      etcdPeer: await freePort(),
      apiserver: await freePort(),
      controllerManager: await freePort(),
      scheduler: await freePort(),
      kwok: await freePort(),
    };
    const server = `https://127.0.0.1:${ports.apiserver}`;
    const pki = await createPki(testbin.binary('testpki'), join(directory, 'pki'), kubernetesServiceIp);
    const kubeconfigPath = join(directory, 'kubeconfig');
    const controllerManagerKubeconfig = join(directory, 'kube-controller-manager.kubeconfig');
    const schedulerKubeconfig = join(directory, 'kube-scheduler.kubeconfig');
    await writeKubeconfig(kubeconfigPath, server, pki, 'admin');
    await writeKubeconfig(controllerManagerKubeconfig, server, pki, 'kube-controller-manager');
    await writeKubeconfig(schedulerKubeconfig, server, pki, 'kube-scheduler');

    const etcd = launch('etcd', testbin.binary('etcd'), etcdArgs(ports, directory), directory);
    processes.push(etcd);
    await waitUntil('etcd', async () => (await fetch(`http://127.0.0.1:${ports.etcdClient}/health`)).ok, { watch: [etcd] });

    const apiserver = launch('kube-apiserver', testbin.binary('kube-apiserver'), apiserverArgs(ports, pki), directory);
    processes.push(apiserver);
    const adminTls = await clientTls(pki, 'admin');
    await waitUntil('kube-apiserver /readyz', () => httpsOk(`${server}/readyz`, adminTls), {
      watch: processes,
      timeoutMs: 90_000,
    });
    log(`control plane: kube-apiserver ready after ${elapsed(started)} s`);

    const controllerManager = launch(
      'kube-controller-manager',
      testbin.binary('kube-controller-manager'),
      controllerManagerArgs(ports, pki, controllerManagerKubeconfig, directory),
      directory,
    );
    const scheduler = launch('kube-scheduler', testbin.binary('kube-scheduler'), schedulerArgs(ports, schedulerKubeconfig, directory), directory);
    const kwok = launch('kwok', testbin.binary('kwok'), kwokArgs(ports, kubeconfigPath, testbin.kwokStages), directory);
    processes.push(controllerManager, scheduler, kwok);

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    await Promise.all([
      waitUntil('kube-controller-manager', () => httpsOk(`https://127.0.0.1:${ports.controllerManager}/healthz`), { watch: processes }),
      waitUntil('kube-scheduler', () => httpsOk(`https://127.0.0.1:${ports.scheduler}/healthz`), { watch: processes }),
      waitUntil('kwok', async () => (await fetch(`http://127.0.0.1:${ports.kwok}/healthz`)).ok, { watch: processes }),
    ]);
    // The service-account controller creating `default` shows the controllers really run, and
    // pods cannot be admitted into a namespace before it exists.
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await waitUntil(
      'the default ServiceAccount',
      async () => {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return true;
      },
      { watch: processes },
    );
    await addFakeNodes(kubeConfig, nodes, processes);
    log(`control plane: ${nodes} nodes Ready after ${elapsed(started)} s`);

    let vault: VaultEndpoint | undefined;
    if (options.vault === true) {
      const transit = await startTransit(testbin, directory);
      processes.push(transit.process);
      vault = { address: transit.address, token: transit.token };
    }
    if (options.crdDirectory !== undefined) {
      const installed = await installCrds(kubeConfig, options.crdDirectory);
      log(`control plane: ${installed.length} CRDs established after ${elapsed(started)} s`);
    }

    const startedInMs = Math.round(performance.now() - started);
    return { kubeconfigPath, directory, vault, kubectl: testbin.binary('kubectl'), pids: processes.map((p) => p.pid), startedInMs, stop };
  } catch (error) {
    const logs = await Promise.all(processes.map(async (p) => `--- ${p.name} (${p.logPath})\n${await logTail(p, 15)}`));
    // The directory stays: its logs are what explains the failure.
    await stopAll(true).catch((stopError: unknown) => log(`control plane: stopping after a failed start: ${String(stopError)}`));
    throw new Error(`starting the test control plane in ${directory}\n${logs.join('\n')}`, { cause: error });
  }
}

function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
