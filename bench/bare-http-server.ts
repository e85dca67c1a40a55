// The HTTP floor: Node's own HTTP server answering every request with one fixed body (a real
// report's JSON, from the parent), and nothing else: no routing, authentication, database or
// audit. Measured under the same load generator as the site, it is what no HTTP route can beat.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

process.once('message', ({ body }: { body: string }) => {
  const length = Buffer.byteLength(body);
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
    response.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  // The parent going away (even by a crash) ends this too.
  process.once('disconnect', () => process.exit(0));
});
