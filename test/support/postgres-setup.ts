import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../api/platform/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server, with `{db}` where the database name goes. */
    postgresUrlTemplate: string;
  }
}

/** One real PostgreSQL server for the whole run; each test file makes its own database in it. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-test-pg-'));
  await chmod(dir, 0o755); // reachable by the `postgres` user when tests run as root
  const server = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), password: 'test-only', unsafeFast: true });
  project.provide('postgresUrlTemplate', server.url('{db}'));
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
