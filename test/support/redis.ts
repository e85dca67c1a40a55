import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../api/platform/free-port.js';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>`: a site's REDIS_URL. */
  readonly url: string;
  /** Kills the server at once (SIGKILL), as a crash or a node's loss would. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real `redis-server` (Debian's package) of the test's own, on a free loopback port, keeping
 * nothing on disk, as the City's managed cache runs. Fails loudly when the server is not installed.
 */
export async function startRedis(): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-redis-'));
  const port = await freePort();
  let server: ChildProcess | undefined;

  async function start() {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.on('error', (error) => reject(new Error('redis-server could not be started: install Debian\'s "redis-server" package', { cause: error })));
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
    });
  }

  async function halt(signal: NodeJS.Signals) {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => halt('SIGKILL'),
    restart: start,
    async stop() {
      await halt('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
