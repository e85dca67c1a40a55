import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** Base URL to give the client instead of the target's. */
  readonly address: string;
  /** Requests forwarded so far, by path without the key name (e.g. `/v1/transit/decrypt`). */
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

/**
 * A pass-through HTTP proxy on loopback that counts what goes through it: put in front of the
 * transit server, it shows how many Vault round trips a site made while it was measured.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0]!.replace(/\/[^/]+$/, '');
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const headers: Record<string, string> = {};
      for (const name of ['x-vault-token', 'content-type']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers, body })
        .then(async (answer) => {
          const payload = Buffer.from(await answer.arrayBuffer());
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(payload);
        })
        .catch((error: unknown) => response.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    counts: () => Object.fromEntries(counts),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
