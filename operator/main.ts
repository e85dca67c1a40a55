// The operator process: configuration, the controller, /healthz and /metrics, SIGTERM.
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadOperatorConfig, vaultAuthOf } from './config.js';
import { startOperator } from './controller.js';
import { startHttpServer } from './http.js';

async function main() {
  const config = loadOperatorConfig();
  const logger = pino({ level: config.LOG_LEVEL, name: 'crashdesk-operator' });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const registry = new Registry();
  const server = await startHttpServer(registry, config.OPERATOR_HTTP_PORT, config.OPERATOR_HTTP_HOST);
  const operator = await startOperator({
    kubeConfig,
    logger,
    registry,
    vault: {
      auth: vaultAuthOf(config),
      addresses: { address: config.VAULT_ADDR, allowed: [config.VAULT_ADDR, ...config.VAULT_ALLOWED_ADDRESSES] },
    },
    developmentCluster: config.OPERATOR_DEVELOPMENT_CLUSTER,
    certificateIssuer: config.OPERATOR_CERTIFICATE_ISSUER,
    prometheusAddress: config.OPERATOR_PROMETHEUS_ADDRESS,
    prometheusNamespaces: config.OPERATOR_PROMETHEUS_NAMESPACES,
    namespace: config.OPERATOR_NAMESPACE,
    watchNamespaces: config.WATCH_NAMESPACES,
    identity: config.OPERATOR_IDENTITY,
    leaseDurationMs: config.OPERATOR_LEASE_DURATION_MS,
    resyncMs: config.OPERATOR_RESYNC_MS,
    concurrency: config.OPERATOR_CONCURRENCY,
  });
  const address = server.address();
  logger.info({ identity: operator.identity, port: typeof address === 'object' ? address?.port : address }, 'operator started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing reconciles, releasing the lease');
    await operator.stop();
    await new Promise((resolve) => server.close(resolve));
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
