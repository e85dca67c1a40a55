import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../api/platform/embedded-postgres.js';
import type { TestDatabase } from '../support/database.js';
import { type ReplicationCluster, startReplicationCluster, waitForConvergence } from '../support/replication-cluster.js';
import { newReport } from '../support/site.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The run's shared PostgreSQL must not be restarted, so this test brings its own. */
describe('replication across a PostgreSQL restart', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let cluster: ReplicationCluster;
  const password = randomBytes(12).toString('hex');
  const start = (port?: number) => startEmbeddedPostgres({ dataDir: join(dir, 'pg'), password, unsafeFast: true, ...(port && { port }) });

  async function createDatabase(): Promise<TestDatabase> {
    const name = `r_${randomBytes(5).toString('hex')}`;
    await server.ensureDatabase(name);
    const url = server.url(name);
    const sql = postgres(url, { max: 4, onnotice: () => undefined });
    return { sql, url, drop: () => sql.end({ timeout: 1 }) };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crashdesk-pg-restart-'));
    await chmod(dir, 0o755); // the server runs as `postgres` when the tests run as root
    server = await start();
    cluster = await startReplicationCluster({ cities: ['london'], createDatabase });
    await Promise.all(cluster.all().map((site) => site.token('agent')));
  });
  afterAll(async () => {
    await cluster?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing when PostgreSQL restarts under a running shipper', async () => {
    const london = cluster.site('london');
    const acknowledged: string[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const id = await london.create(newReport());
        if (id) acknowledged.push(id);
        await sleep(20);
      }
    })();
    // The shipper is busy: some rows delivered, more arriving.
    while (acknowledged.length < 50) await sleep(50);
    const port = server.port;
    await server.stop();
    await sleep(3_000);
    server = await start(port);
    // Writes succeed again once the server is back (the pools reconnect), while the writer goes on.
    const backBy = Date.now() + 60_000;
    const written = acknowledged.length;
    while (acknowledged.length === written) {
      if (Date.now() > backBy) {
        const probe = await fetch(`${london.base}/london/v1/accidents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await london.token('agent')}`, 'content-type': 'application/json' },
          body: JSON.stringify(newReport()),
        }).then(
          async (response) => `${response.status} ${await response.text()}`,
          (error: unknown) => String(error),
        );
        throw new Error(`no write succeeded after the restart: ${probe}\n${london.process().output().slice(-3000)}`);
      }
      await sleep(200);
    }
    await sleep(2_000);
    writing = false;
    await writer;
    const before = acknowledged.length;
    await waitForConvergence(cluster.all(), { minReports: before, timeoutMs: 45_000 }).catch((error: unknown) => {
      const outputs = cluster.all().map((site) => `--- ${site.name} (exit ${site.process().child.exitCode}):\n${site.process().output().slice(-4000)}`);
      throw new Error(`${String(error)}\n${outputs.join('\n')}`);
    });
    const held = new Set((await cluster.hq.states()).map((report) => report.id));
    expect(acknowledged.filter((id) => !held.has(id))).toEqual([]);
  }, 180_000);
});
