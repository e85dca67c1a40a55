import { createServer, type Server, type Socket, connect } from 'node:net';

export type ProxyMode = { readonly kind: 'pass' } | { readonly kind: 'drop' } | { readonly kind: 'delay'; readonly ms: number };

export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  /** `drop` also cuts every open connection at once; `delay` holds each chunk, both ways, that long. */
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

// Bounds, so a test cannot make the proxy hold a connection or a chunk for ever.
const MAX_DELAY_MS = 5_000;
const MAX_CONNECTIONS = 200;

/**
 * A TCP proxy on loopback in front of `targetPort`, for fault tests between sites: it passes
 * traffic through, drops connections (new ones are closed at once), or delays every chunk.
 */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  const open = new Set<Socket>();

  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (mode.kind === 'drop') return cut();
      if (mode.kind === 'delay') {
        from.pause();
        setTimeout(
          () => {
            if (!to.destroyed) to.write(chunk);
            from.resume();
          },
          Math.min(mode.ms, MAX_DELAY_MS),
        );
      } else if (!to.destroyed) to.write(chunk);
    });
    from.on('end', () => to.end());
    function cut() {
      from.destroy();
      to.destroy();
    }
  };

  const server: Server = createServer((client) => {
    if (mode.kind === 'drop' || open.size >= MAX_CONNECTIONS) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the fault proxy has no address');

  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    set(next) {
      mode = next;
      if (next.kind === 'drop') for (const socket of open) socket.destroy();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
