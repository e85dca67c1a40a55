import { defineConfig } from 'vitest/config';

// Two projects: `api` needs only a real PostgreSQL (started once per run by its global set-up);
// `cluster` needs the real Kubernetes control plane and OpenBao, which are slower to start, so
// they are only started when a test of that project runs.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 240_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'api',
          include: [
            'api/**/*.test.ts',
            'operator/**/*.test.ts',
            'manifests/**/*.test.ts',
            'dashboards/**/*.test.ts',
            'test/api/**/*.test.ts',
            'test/replication/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/images/**/*.test.ts',
            'clients/**/*.test.ts',
          ],
          globalSetup: ['test/support/postgres-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/support/postgres-setup.ts', 'test/support/cluster-setup.ts'],
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
