import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  readonly name: string;
  /** Also the process group id: each process leads its own group. */
  readonly pid: number;
  readonly logPath: string;
  /** Resolves with the exit code (or signal name) once the process has exited and been reaped. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  stop(): Promise<void>;
}

const stopGraceMs = 10_000;

/**
 * Starts a binary in its own process group with output in `<dir>/<name>.log`, so that stopping it
 * also ends anything it started, and a person can read why it failed.
 */
export function launch(name: string, command: string, args: readonly string[], dir: string, env?: NodeJS.ProcessEnv): ManagedProcess {
  const logPath = join(dir, `${name}.log`);
  const logFd = openSync(logPath, 'a');
  const child = spawn(command, args, { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd], env: env ?? process.env });
  closeSync(logFd);

  let exitedFlag = false;
  // Listen before anything can throw: a spawn failure (ENOENT) arrives as an 'error' event, which
  // would crash the process if nobody listened.
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => {
      exitedFlag = true;
      resolve(`error: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve(signal ?? String(code));
    });
  });
  if (child.pid === undefined) throw new Error(`starting ${name} failed: ${command} could not be run`);
  const pid = child.pid;

  return {
    name,
    pid,
    logPath,
    exited,
    hasExited: () => exitedFlag,
    async stop() {
      if (!exitedFlag) {
        signalGroup(pid, 'SIGTERM');
        const outcome = await Promise.race([exited, sleep(stopGraceMs, 'timeout')]);
        if (outcome === 'timeout') signalGroup(pid, 'SIGKILL');
        await exited;
      }
      // The leader is gone; make sure no other member of its group outlives it.
      signalGroup(pid, 'SIGKILL');
    },
  };
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** True while any process of the group `pgid` exists (signal 0 only checks). */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Kills the groups synchronously, for `process.on('exit')`, where nothing can be awaited. */
export function killGroupsNow(processes: readonly ManagedProcess[]): void {
  for (const managed of processes) signalGroup(managed.pid, 'SIGKILL');
}

/** Asks the kernel for a free loopback port. Another process could take it before we use it,
 * which on a test machine is rare enough to accept. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Stop waiting as soon as one of these exits, and say why. */
  readonly watch?: readonly ManagedProcess[];
}

/** Polls `probe` until it returns true; fails fast if a watched process dies, and on timeout. */
export async function waitUntil(description: string, probe: () => Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 60_000, watch = [] } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    const dead = watch.find((managed) => managed.hasExited());
    if (dead !== undefined) {
      throw new Error(`${dead.name} exited with ${await dead.exited} while waiting for ${description}:\n${await logTail(dead)}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`, { cause: lastError });
    }
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}

export async function logTail(managed: ManagedProcess, lines = 30): Promise<string> {
  const text = await readFile(managed.logPath, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
