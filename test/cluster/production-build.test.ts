// The production build, run as users run it: `node dist/api/main.js` in single-site mode against the
// test PostgreSQL, and `node dist/operator/main.js` against the test control plane, each from a
// clean copy of the repository with production dependencies only.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, launch, logTail, type ManagedProcess } from '../controlplane/processes.js';
import { draftCall, recordAndReadBack, waitUntilReady } from '../support/api-process.js';
import { buildProductionCopy, type ProductionBuild } from '../support/production-build.js';
import { newReport } from '../support/site.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';
import { createTestNamespace, testKubeConfig } from './kube-client.js';
import { applyHqUntilReady, createKube, createPlatformSecrets, deleteAllCities, installCityCrd, waitUntilLeading } from './operator-support.js';

const ADMIN_PASSWORD = 'production-build-admin-password';
let build: ProductionBuild;
const running: ManagedProcess[] = [];

beforeAll(async () => {
  build = await buildProductionCopy();
}, 300_000);

afterAll(async () => {
  await Promise.all(running.map((process_) => process_.stop()));
  await build?.remove();
});

describe('the production build', () => {
  it('has no development dependency to load', async () => {
    const { existsSync } = await import('node:fs');
    for (const devOnly of ['typescript', 'vitest', 'tsx', 'cdk8s', 'eslint'])
      expect(existsSync(join(build.appDir, 'node_modules', devOnly)), devOnly).toBe(false);
    expect(existsSync(join(build.appDir, 'dist/api/db/migrations/001_foundation.sql'))).toBe(true);
    expect(existsSync(join(build.appDir, 'dist/api/console/assets/console.js'))).toBe(true);
  });

  it('serves one site from dist/api/main.js: ready, a report recorded and read back', async () => {
    const site = await singleSiteEnvironment(ADMIN_PASSWORD);
    try {
      const port = await freePort();
      const api = launch('api', process.execPath, ['dist/api/main.js'], build.appDir, {
        PATH: process.env.PATH,
        ...site.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        CRASHDESK_INTERNAL_PORT: '0',
        LOG_LEVEL: 'warn',
      });
      running.push(api);
      const base = `http://127.0.0.1:${port}`;
      await waitUntilReady(
        base,
        'london',
        () => !api.hasExited(),
        () => logTail(api),
      );
      const report = newReport();
      const read = await recordAndReadBack(base, 'london', ADMIN_PASSWORD, report);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: read.id, policyNumber: report.policyNumber, drivers: report.drivers });
      // Chinese segmentation's native binary is an optional package the production install keeps.
      const drafted = await draftCall(base, 'london', read.agent, { transcript: '客服：请问您怎么称呼？\n来电者：我叫王小明。', callDate: '2026-11-21' });
      expect(drafted).toMatchObject({ status: 'done', language: 'zh', draft: { drivers: ['王小明'] } });
      await api.stop();
      expect(await api.exited).toBe('0');
    } finally {
      await site.cleanup();
    }
  });

  it('reconciles a City to Ready from dist/operator/main.js', async () => {
    const kubeConfig = testKubeConfig();
    const kube = createKube(kubeConfig);
    await installCityCrd(kube);
    const namespace = await createTestNamespace(kubeConfig, 'production-build');
    try {
      await createPlatformSecrets(kube, namespace.name);
      const port = await freePort();
      const operator = launch('operator', process.execPath, ['dist/operator/main.js'], build.appDir, {
        PATH: process.env.PATH,
        KUBECONFIG: inject('kubeconfigPath'),
        VAULT_ADDR: inject('vaultAddress'),
        VAULT_AUTH_METHOD: 'token',
        VAULT_TOKEN: inject('vaultToken'),
        OPERATOR_NAMESPACE: namespace.name,
        WATCH_NAMESPACES: namespace.name,
        OPERATOR_HTTP_PORT: String(port),
        OPERATOR_HTTP_HOST: '127.0.0.1',
        OPERATOR_LEASE_DURATION_MS: '3000',
      });
      running.push(operator);
      await waitUntilLeading(
        `http://127.0.0.1:${port}/metrics`,
        () => !operator.hasExited(),
        () => logTail(operator),
      );
      await applyHqUntilReady(kube, namespace.name, inject('vaultAddress'));
      await deleteAllCities(kube, namespace.name);
      await operator.stop();
      expect(await operator.exited).toBe('0');
    } finally {
      await namespace.remove();
    }
  });
});
