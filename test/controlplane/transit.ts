import { randomBytes } from 'node:crypto';
import { type ManagedProcess, freePort, launch, waitUntil } from './processes.js';
import type { Testbin } from './testbin.js';

export interface VaultEndpoint {
  /** Base URL, as in VAULT_ADDR. */
  readonly address: string;
  readonly token: string;
}

export interface TransitServer extends VaultEndpoint {
  readonly process: ManagedProcess;
}

/**
 * Starts the in-memory transit server (see transit/cmd/transit-dev) with a fresh root token and
 * the transit engine mounted at `transit/`, as a `bao server -dev` followed by
 * `bao secrets enable transit` would leave it.
 */
export async function startTransit(testbin: Testbin, dir: string, options: { port?: number; token?: string } = {}): Promise<TransitServer> {
  // A fixed port and token let a test stop the server and start it again "after an outage".
  const port = options.port ?? (await freePort());
  const address = `http://127.0.0.1:${port}`;
  const token = options.token ?? `test-${randomBytes(16).toString('hex')}`;
  const server = launch('transit-dev', testbin.binary('transit-dev'), ['-listen', `127.0.0.1:${port}`, '-root-token', token], dir);
  try {
    await waitUntil('the transit server', async () => (await fetch(`${address}/v1/sys/health`)).ok, {
      watch: [server],
      timeoutMs: 15_000,
    });
    const mounted = await fetch(`${address}/v1/sys/mounts/transit`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'transit' }),
    });
    if (!mounted.ok) throw new Error(`mounting transit answered ${mounted.status}: ${await mounted.text()}`);
  } catch (error) {
    await server.stop();
    throw new Error('starting the transit server', { cause: error });
  }
  return { address, token, process: server };
}
