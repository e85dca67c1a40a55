import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** This site's side of mutual TLS between peers: its certificate and key, and the CA a peer's certificate must chain to. */
export interface PeerTls {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly ca: string | Buffer;
}

export interface PeerRequest {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

export type PeerClient = (url: string, request: PeerRequest) => Promise<{ status: number; text: string }>;

/**
 * How a site calls its peers' internal port: over HTTPS it presents its own certificate and
 * accepts only a peer whose certificate chains to the platform's CA (and names the host it was
 * called by); connections are kept alive between batches.
 */
export function createPeerClient(tls?: PeerTls): PeerClient {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true, ...(tls && { cert: tls.cert, key: tls.key, ca: tls.ca }) });
  return (url, { method, headers, body, signal }) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      // Configured for mutual TLS, a site never sends reports to a peer in the clear.
      if (tls && !secure) return reject(new Error(`refusing to call ${target.origin} without TLS: peers are reached over https`));
      const send = secure ? httpsRequest : httpRequest;
      const payload = body === undefined ? undefined : Buffer.from(body);
      const request = send(
        target,
        {
          method,
          agent: secure ? httpsAgent : httpAgent,
          headers: { ...headers, ...(payload && { 'content-length': String(payload.byteLength) }) },
          signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
}
