import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../api/platform/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL server, with `{db}` where the database name goes. */
    postgresUrlTemplate: string;
    /** The server's data directory (with its WAL), for tests that inspect what reaches the disk. */
    postgresDataDir: string;
    /** Everything the server logged during the run. */
    postgresLogFile: string;
  }
}

/** One real PostgreSQL server for the whole run; each test file makes its own database in it. */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-test-pg-'));
  await chmod(dir, 0o755); // reachable by the `postgres` user when tests run as root
  const logFile = join(dir, 'postgres.log');
  const log = createWriteStream(logFile);
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    password: 'test-only',
    unsafeFast: true,
    onLog: (line) => log.write(line),
  });
  project.provide('postgresUrlTemplate', server.url('{db}'));
  project.provide('postgresDataDir', join(dir, 'data'));
  project.provide('postgresLogFile', logFile);
  return async () => {
    await server.stop();
    log.end();
    await rm(dir, { recursive: true, force: true });
  };
}
