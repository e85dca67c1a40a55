import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import { Registry } from 'prom-client';
import { createApp } from './app.js';
import { createInternalApp } from './internal-app.js';
import { isDriverWriteAfterClose } from './db/driver-write-race.js';
import { type Config, loadConfig } from './config.js';
import { loadMutualTlsFiles, loadTlsFiles, type MutualTlsFiles, type TlsFiles } from './http/tls.js';
import { createHttpMetrics } from './observability/http-metrics.js';
import { createLogger } from './observability/logger.js';
import { collectProcessMetrics } from './observability/process-metrics.js';
import { startPlatform } from './platform/platform.js';
import { startSingleSite } from './site/single-site.js';

async function main(config: Config, tls: TlsFiles | undefined, internalTls: MutualTlsFiles | undefined) {
  const logger = createLogger(config.logLevel);
  const registry = new Registry();
  registry.setDefaultLabels({ site: config.mode === 'site' ? config.site : 'platform' });
  collectProcessMetrics(registry);
  const metrics = createHttpMetrics(registry);

  const runtime =
    config.mode === 'site' ? await startSingleSite(config, logger, metrics, internalTls) : await startPlatform(config, logger, metrics, internalTls);
  if (!internalTls && config.mode === 'site' && config.replication) {
    logger.warn('CRASHDESK_INTERNAL_TLS_* are not set: replication between sites travels unencrypted; set them wherever the link leaves a trusted network');
  }
  const app = createApp({
    sites: runtime.sites,
    registry,
    logger,
    corsOrigins: config.http.corsOrigins,
    trustProxyHops: config.http.trustProxyHops,
  });

  const listen = { fetch: app.fetch, hostname: config.http.host, port: config.http.port };
  const https = tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } } : {};
  const server = serve({ ...listen, ...https }, (info) => {
    const base = `${tls ? 'https' : 'http'}://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
    logger.info({ address: base, sites: runtime.sites.map((s) => s.site) }, 'listening');
    const lines = runtime.sites.map(({ site }) => `  ${site.padEnd(12)} ${base}/${site}/   (API docs: ${base}/${site}/docs)`);
    process.stdout.write(`\ncrashdesk is up. Consoles:\n${lines.join('\n')}\n`);
    // Only the local platform ever generates a password, and only it prints one (on a laptop's terminal, never a pod's log).
    if (config.mode === 'platform' && runtime.adminPasswordToAnnounce) {
      process.stdout.write(`\nSign in as "admin" with password: ${runtime.adminPasswordToAnnounce}\n(shown once; kept in ${config.dataDir})\n\n`);
    }
  });
  // Peer sites' replication routes, on a port of their own that the Ingress never routes; with
  // mutual TLS a peer's certificate must chain to the platform's CA before anything is read.
  const internalServer = serve(
    {
      fetch: createInternalApp({ sites: runtime.sites, logger }).fetch,
      hostname: config.http.host,
      port: config.http.internal.port,
      ...(internalTls && {
        createServer: createHttpsServer,
        serverOptions: { cert: internalTls.cert, key: internalTls.key, ca: internalTls.ca, requestCert: true, rejectUnauthorized: true },
      }),
    },
    (info) => {
      const base = `${internalTls ? 'https' : 'http'}://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
      logger.info({ address: base }, 'internal port listening (peer sites only)');
      if ('listening' in runtime) runtime.listening(base);
    },
  );
  for (const listener of [server, internalServer]) {
    listener.on('error', (error) => {
      logger.fatal({ err: error }, 'an HTTP server failed');
      void shutdown('server error', 1);
    });
  }

  let stopping = false;
  // In-flight requests finish; idle keep-alive connections are closed at once and busy ones are cut
  // after the grace period. Databases stop only after the last request has been answered.
  async function shutdown(reason: string, exitCode = 0) {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const servers = [server, internalServer];
    const force = setTimeout(
      () => servers.forEach((listener) => 'closeAllConnections' in listener && listener.closeAllConnections()),
      config.http.shutdownGraceMs,
    );
    force.unref();
    const closed = Promise.all(servers.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))));
    for (const listener of servers) if ('closeIdleConnections' in listener) listener.closeIdleConnections();
    await closed;
    await runtime.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping the sites failed'));
    logger.info('stopped');
    process.exit(exitCode);
  }
  process.on('uncaughtException', (error) => {
    if (isDriverWriteAfterClose(error)) {
      logger.warn({ err: error }, 'the database driver wrote to a connection that had just closed; its query was already rejected');
      return;
    }
    logger.fatal({ err: error }, 'uncaught exception');
    void shutdown('uncaught exception', 1);
  });
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

let config: Config;
let tls: TlsFiles | undefined;
let internalTls: MutualTlsFiles | undefined;
try {
  config = loadConfig();
  tls = config.http.tls && loadTlsFiles({ cert: config.http.tls.certFile, key: config.http.tls.keyFile });
  const internal = config.http.internal.tls;
  internalTls = internal && loadMutualTlsFiles({ cert: internal.certFile, key: internal.keyFile, ca: internal.caFile });
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
main(config, tls, internalTls).catch((error: unknown) => {
  process.stderr.write(`crashdesk failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  if (error instanceof Error && error.cause instanceof Error) process.stderr.write(`caused by: ${error.cause.message}\n`);
  process.exit(1);
});
