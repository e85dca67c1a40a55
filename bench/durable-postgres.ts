import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../api/platform/embedded-postgres.js';

export type Cleanup = () => Promise<unknown>;

/**
 * A PostgreSQL server of the benchmark's own, in a fresh temporary directory, with durable settings
 * (no unsafeFast: fsync and synchronous commit on, as a real site runs). Its stop and the removal
 * of its directory are pushed onto `cleanups`, which the caller runs in reverse.
 */
export async function startDurablePostgres(prefix: string, cleanups: Cleanup[]) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755); // PostgreSQL runs as the `postgres` user when we run as root
  const dataDir = join(dir, 'data');
  const server = await startEmbeddedPostgres({ dataDir, password: randomBytes(18).toString('base64url') });
  cleanups.push(() => server.stop());
  return { dir, dataDir, server };
}
