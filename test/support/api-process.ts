import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../../api/platform/free-port.js';

export interface ApiProcess {
  readonly port: number;
  readonly base: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Polls `/{site}/readyz` until 200; returns how long it took. */
  waitReady(site: string, timeoutMs?: number): Promise<number>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

/** Runs the api exactly as `npm start` does, as a separate process on a free port. */
/** `port` pins the address (a restart on the same one, or peers configured before it starts). */
export async function startApiProcess(env: Record<string, string>, options: { port?: number } = {}): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    // The internal port on any free one unless the test names it (peers configured before the start).
    env: { ...process.env, LOG_LEVEL: 'warn', CRASHDESK_INTERNAL_PORT: '0', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;

  return {
    port,
    base,
    child,
    output: () => output,
    async waitReady(site, timeoutMs = 30_000) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        if (child.exitCode !== null) throw new Error(`the api exited with ${child.exitCode}:\n${output}`);
        const status = await fetch(`${base}/${site}/readyz`).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`/${site}/readyz did not answer 200 within ${timeoutMs} ms:\n${output}`);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export async function postJson(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

/**
 * What an agent's first minutes on a fresh site exercise: the admin signs in and creates an agent,
 * who records a report and reads it back by id. Returns the report as read.
 */
export async function recordAndReadBack(base: string, site: string, adminPassword: string, report: Record<string, unknown>) {
  const admin = await postJson(`${base}/${site}/v1/auth/login`, { username: 'admin', password: adminPassword });
  if (admin.status !== 200) throw new Error(`the admin could not sign in: ${admin.status} ${JSON.stringify(admin.body)}`);
  const agentName = `agent-${Math.random().toString(36).slice(2, 8)}`;
  const created = await postJson(`${base}/${site}/v1/users`, { username: agentName, password: 'Correct-Horse-Battery-9', role: 'agent' }, admin.body.token);
  if (created.status !== 201) throw new Error(`creating an agent failed: ${created.status} ${JSON.stringify(created.body)}`);
  const agent = (await postJson(`${base}/${site}/v1/auth/login`, { username: agentName, password: 'Correct-Horse-Battery-9' })).body.token as string;
  const recorded = await postJson(`${base}/${site}/v1/accidents`, report, agent);
  if (recorded.status !== 201) throw new Error(`recording a report failed: ${recorded.status} ${JSON.stringify(recorded.body)}`);
  const read = await fetch(`${base}/${site}/v1/accidents/${recorded.body.id}`, { headers: { authorization: `Bearer ${agent}` } });
  return { status: read.status, body: (await read.json()) as any, id: recorded.body.id as string, agent };
}

/** Sends a call to draft and polls its job until it is no longer queued or running; returns the job. */
export async function draftCall(base: string, site: string, token: string, body: { transcript: string; callDate?: string }, timeoutMs = 30_000) {
  const created = await postJson(`${base}/${site}/v1/intakes`, body, token);
  if (created.status !== 202) throw new Error(`sending a call to draft failed: ${created.status} ${JSON.stringify(created.body)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await fetch(`${base}/${site}/v1/intakes/${created.body.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    if ((job.status !== 'queued' && job.status !== 'running') || Date.now() > deadline) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `/{site}/readyz` at `base` until 200, while `alive()` holds. */
export async function waitUntilReady(base: string, site: string, alive: () => boolean, describe: () => Promise<string>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the api exited before it was ready:\n${await describe()}`);
    if (
      (await fetch(`${base}/${site}/readyz`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`/${site}/readyz did not answer 200 within ${timeoutMs} ms:\n${await describe()}`);
}
