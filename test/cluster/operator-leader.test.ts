// Two operator processes, one Lease. Only the leader reconciles; killing it hands the
// lease over within its duration; a SIGTERM releases it at once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resourcePath } from '../../operator/kube.js';
import { freePort, launch, logTail, type ManagedProcess } from '../controlplane/processes.js';
import { createTestNamespace, eventually, testKubeConfig } from './kube-client.js';
import {
  applyCity,
  applyHqUntilReady,
  cityManifest,
  createKube,
  createPlatformSecrets,
  deleteAllCities,
  installCityCrd,
  isReady,
  readCity,
} from './operator-support.js';

const kubeConfig = testKubeConfig();
const kube = createKube(kubeConfig);
const vaultAddress = inject('vaultAddress');
const leaseDurationMs = 3_000;
const repository = fileURLToPath(new URL('../../', import.meta.url));
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;
let ns: string;
let dir: string;

interface Replica {
  readonly identity: string;
  readonly port: number;
  readonly process: ManagedProcess;
}
const replicas: Replica[] = [];

async function startReplica(identity: string): Promise<Replica> {
  const port = await freePort();
  // Node itself with tsx's loader (not the tsx CLI, which would stand between the signal and the operator).
  const loader = pathToFileURL(join(repository, 'node_modules/tsx/dist/loader.mjs')).href;
  const process_ = launch(`operator-${identity}`, process.execPath, ['--import', loader, join(repository, 'operator/main.ts')], dir, {
    ...process.env,
    KUBECONFIG: inject('kubeconfigPath'),
    VAULT_ADDR: inject('vaultAddress'),
    VAULT_AUTH_METHOD: 'token',
    VAULT_TOKEN: inject('vaultToken'),
    OPERATOR_NAMESPACE: ns,
    WATCH_NAMESPACES: ns,
    OPERATOR_IDENTITY: identity,
    OPERATOR_HTTP_PORT: String(port),
    OPERATOR_HTTP_HOST: '127.0.0.1',
    OPERATOR_LEASE_DURATION_MS: String(leaseDurationMs),
    LOG_LEVEL: 'info',
  });
  const replica = { identity, port, process: process_ };
  replicas.push(replica);
  return replica;
}

async function reconciles(replica: Replica): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('crashdesk_operator_reconciles_total'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

const healthy = async (replica: Replica) => (await fetch(`http://127.0.0.1:${replica.port}/healthz`).catch(() => undefined))?.ok === true;
const leaseHolder = async () =>
  (await kube.getOrUndefined<{ spec: { holderIdentity?: string } }>(resourcePath('coordination.k8s.io/v1', 'Lease', ns, 'crashdesk-operator')))?.spec
    .holderIdentity;

beforeAll(async () => {
  await installCityCrd(kube);
  namespace = await createTestNamespace(kubeConfig, 'operator-leader');
  ns = namespace.name;
  dir = await mkdtemp(join(tmpdir(), 'crashdesk-operator-leader-'));
  await createPlatformSecrets(kube, ns);
});

afterAll(async () => {
  for (const replica of replicas) await replica.process.stop();
  await namespace?.remove();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('two operator replicas', () => {
  it('reconcile only through the leader, and hand over within the lease duration when it is killed', async () => {
    const [first, second] = [await startReplica('replica-a'), await startReplica('replica-b')];
    for (const replica of [first, second]) {
      await eventually(`${replica.identity} to serve /healthz`, () => healthy(replica), Boolean, 30_000).catch(async (error: unknown) => {
        throw new Error(`${replica.identity} did not start:\n${await logTail(replica.process)}`, { cause: error });
      });
    }
    const holder = await eventually('a leader', leaseHolder, (identity) => identity === first.identity || identity === second.identity, 15_000);
    const leader = holder === first.identity ? first : second;
    const follower = leader === first ? second : first;

    await applyHqUntilReady(kube, ns, vaultAddress);
    expect(await reconciles(leader)).toBeGreaterThan(0);
    expect(await reconciles(follower)).toBe(0);

    const killedAt = Date.now();
    process.kill(-leader.process.pid, 'SIGKILL');
    await eventually('the follower to take the lease', leaseHolder, (identity) => identity === follower.identity, leaseDurationMs * 3);
    const handoverMs = Date.now() - killedAt;
    // The follower waits one lease duration from the last renewal it saw, plus at most one retry period.
    expect(handoverMs).toBeLessThan(leaseDurationMs + leaseDurationMs / 5 + 1_000);

    await applyCity(kube, cityManifest(ns, 'hq', vaultAddress, { api: { image: 'registry.example/crashdesk/api:2.0.0', replicas: { min: 2, max: 5 } } }));
    const reconciled = await eventually('the new leader to reconcile the change', () => readCity(kube, ns, 'hq'), isReady, 30_000);
    expect(reconciled?.status?.observedGeneration).toBe(reconciled?.metadata.generation);
    expect(await reconciles(follower)).toBeGreaterThan(0);

    await deleteAllCities(kube, ns);
    process.kill(follower.process.pid, 'SIGTERM');
    expect(await follower.process.exited).toBe('0');
    expect(await leaseHolder()).toBeFalsy();
  });
});
