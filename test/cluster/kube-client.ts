import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

/** A client for the run's cluster (see test/support/cluster-setup.ts). */
export function testKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject('kubeconfigPath'));
  return kubeConfig;
}

/** Creates a namespace with a random suffix, so that files and reruns never see each other's objects. */
export async function createTestNamespace(kubeConfig: KubeConfig, prefix: string): Promise<{ name: string; remove(): Promise<void> }> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return { name, remove: async () => void (await core.deleteNamespace({ name })) };
}

export interface RejectedRequest {
  readonly code: number;
  /** The `message` of the Status object the API server answered with. */
  readonly message: string;
}

/** Awaits a request that must fail, and returns the API server's status code and message. */
export async function rejection(request: Promise<unknown>): Promise<RejectedRequest> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    const message = (body as { message?: unknown } | null)?.message;
    return { code: error.code, message: typeof message === 'string' ? message : JSON.stringify(body) };
  }
  throw new Error('the request was expected to be rejected, but it succeeded');
}

/** Polls until `read` returns a value that satisfies `done`, and returns that value. */
export async function eventually<T>(description: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}; last seen: ${JSON.stringify(last)}`);
}

export async function isNotFound(request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return false;
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return true;
    throw error;
  }
}
