// The api's connection to PostgreSQL with DATABASE_CA_FILE: TLS only, the server's certificate
// verified against that CA and its host name checked (sslmode verify-full), against a real server
// with TLS on (a second embedded PostgreSQL of this test's own).
import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type TestCa } from '../../test/support/test-ca.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../platform/embedded-postgres.js';
import { connectDatabase } from './connect.js';

let dir: string;
let ca: TestCa;
let otherCa: TestCa;
let server: EmbeddedPostgres;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crashdesk-pg-tls-'));
  await chmod(dir, 0o755);
  ca = await createTestCa('database ca');
  otherCa = await createTestCa('not the database ca');
  const certificate = await ca.issue('database');
  // PostgreSQL reads its key only when its owner alone may: the server's user, mode 0600.
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  await copyFile(certificate.certFile, certFile);
  await copyFile(certificate.keyFile, keyFile);
  await chmod(keyFile, 0o600);
  // As root, the embedded server runs as the `postgres` system user (api/platform/embedded-postgres.ts).
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
    for (const file of [certFile, keyFile]) await chown(file, id('-u'), id('-g'));
  }
  server = await startEmbeddedPostgres({
    dataDir: join(dir, 'data'),
    password: 'tls-test',
    unsafeFast: true,
    settings: { ssl: 'on', ssl_cert_file: certFile, ssl_key_file: keyFile },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await ca?.remove();
  await otherCa?.remove();
  await rm(dir, { recursive: true, force: true });
});

const hostUrl = (host: string) => server.url('postgres').replace('127.0.0.1', host);

describe('connecting with DATABASE_CA_FILE', () => {
  it('talks TLS to a server whose certificate that CA issued for the host it was called by', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const sql = connectDatabase(hostUrl(host), { max: 1, applicationName: 'tls-test', caFile: ca.caFile });
      try {
        const [row] = await sql<{ ssl: boolean }[]>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
        expect(row?.ssl, host).toBe(true);
      } finally {
        await sql.end();
      }
    }
  });

  it('refuses a server whose certificate another CA issued (verify-full, not merely encrypted)', async () => {
    const sql = connectDatabase(server.url('postgres'), { max: 1, applicationName: 'tls-test', caFile: otherCa.caFile });
    try {
      await expect(sql`select 1`).rejects.toThrow(/certificate/i);
    } finally {
      await sql.end();
    }
  });
});
