import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { EventLoopQuery, SiteServerMessage, SiteServerStart } from './site-server.js';

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export interface SiteProcess {
  readonly pid: number;
  readonly baseUrl: string;
  /** The site's cumulative event-loop busy/idle time, for `performance.eventLoopUtilization(after, before)`. */
  eventLoop(): Promise<EventLoopUtilization>;
  /** Starts the site's CPU profiler; `stop` gives the profile (V8's .cpuprofile JSON). */
  profile(): Promise<{ stop(): Promise<string> }>;
  /** Hands an accepted connection to the site (started with `adoptsConnections`). */
  adopt(socket: Socket): void;
  stop(): Promise<void>;
}

// Where the site's build goes: inside node_modules, so that the compiled files find the packages.
export const SITE_BUILD = 'node_modules/.cache/crashdesk-bench-site';
const REPOSITORY = fileURLToPath(new URL('../', import.meta.url));
let siteBuild: Promise<void> | undefined;

/**
 * The bench modules the site runs in (bench/site-server.ts, bench/bare-http-server.ts) and the api,
 * compiled as the images compile the api (scripts/build.mjs, tsc), once per bench run: measured
 * through tsx's loader, every function the site creates per request paid for a name helper the
 * shipped code does not have.
 */
function buildSite(): Promise<void> {
  siteBuild ??= promisify(execFile)(process.execPath, ['scripts/build.mjs', 'tsconfig.bench.json', SITE_BUILD], { cwd: REPOSITORY }).then(() => undefined);
  return siteBuild;
}

/**
 * Forks a compiled bench module (`name`, without its extension) on the Node the site runs on
 * (BENCH_SITE_NODE, say the images' Node; the bench's own by default). `stop` disconnects, which
 * ends the child, and kills it if it has not ended in time.
 */
async function forkOnSiteNode(name: 'site-server' | 'bare-http-server') {
  await buildSite();
  const child = fork(join(REPOSITORY, SITE_BUILD, 'bench', `${name}.js`), [], {
    execArgv: [],
    ...(process.env.BENCH_SITE_NODE ? { execPath: process.env.BENCH_SITE_NODE } : {}),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  return { child, exited, stop };
}

/** Starts bench/bare-http-server.ts, answering every request with `body`, on the site's Node. */
export async function startBareHttpServer(body: string): Promise<{ readonly pid: number; readonly baseUrl: string; stop(): Promise<void> }> {
  const { child, exited, stop } = await forkOnSiteNode('bare-http-server');
  child.send({ body });
  const [message] = (await Promise.race([once(child, 'message'), exited.then(() => [undefined])])) as [{ port: number } | undefined];
  if (!message || child.pid === undefined) {
    await stop();
    throw new Error('the bare HTTP server did not start');
  }
  return { pid: child.pid, baseUrl: `http://127.0.0.1:${message.port}`, stop };
}

/** Several processes of one site serving one port, as a Deployment's replicas serve one Service. */
export interface SiteGroup extends Omit<SiteProcess, 'pid' | 'adopt'> {
  readonly pids: readonly number[];
}

/**
 * Starts `processes` site processes behind one port, one after the other (the first migrates).
 * This process accepts each connection and hands it to the next site process in turn, as the
 * cluster module's round robin does: the connections are kept alive, so each is handed over once,
 * and every process gets its share (processes accepting on one shared socket do not: the kernel
 * wakes whichever waits). Each has a pool of `poolSize / processes`, so the group holds as many
 * connections as one process would. The event loop is the group's mean; the profile is the
 * first process's.
 */
export async function startSiteGroup(start: Omit<SiteServerStart, 'type' | 'adoptsConnections'>, processes: number): Promise<SiteGroup> {
  if (processes <= 1) {
    const only = await startSiteProcess(start);
    return { ...only, pids: [only.pid] };
  }
  const members: SiteProcess[] = [];
  let turn = 0;
  const listener = createServer({ pauseOnConnect: true }, (socket) => members[turn++ % members.length]!.adopt(socket));
  const stop = async () => {
    listener.close();
    await Promise.all(members.map((member) => member.stop()));
  };
  try {
    const poolSize = Math.max(2, Math.ceil(start.poolSize / processes));
    for (let i = 0; i < processes; i++) members.push(await startSiteProcess({ ...start, poolSize, adoptsConnections: true }));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  } catch (error) {
    await stop();
    throw error;
  }
  const port = (listener.address() as AddressInfo).port;
  const eventLoop = async (): Promise<EventLoopUtilization> => {
    const all = await Promise.all(members.map((member) => member.eventLoop()));
    const idle = all.reduce((sum, u) => sum + u.idle, 0);
    const active = all.reduce((sum, u) => sum + u.active, 0);
    return { idle, active, utilization: active / (idle + active) };
  };
  return { pids: members.map((member) => member.pid), baseUrl: `http://127.0.0.1:${port}`, eventLoop, profile: () => members[0]!.profile(), stop };
}

/**
 * Forks bench/site-server.ts (compiled, see buildSite) and waits until it listens on a
 * port of its own, or (`adoptsConnections`) until it is ready for the connections it is handed.
 */
export async function startSiteProcess(start: Omit<SiteServerStart, 'type'>): Promise<SiteProcess> {
  const { child, stop } = await forkOnSiteNode('site-server');

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the site process did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      child.once('message', (message: SiteServerMessage) => {
        clearTimeout(timer);
        if (message.type === 'listening') resolve(message.port);
        else if (message.type === 'failed') reject(new Error(`the site process failed to start:\n${message.error}`));
        else reject(new Error(`the site process sent ${message.type} before it listened`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the site process exited during start-up (code ${code}, signal ${signal})`));
      });
      child.send({ type: 'start', ...start } satisfies SiteServerStart);
    });
    if (child.pid === undefined) throw new Error('the site process has no pid');
    const ask = <T extends SiteServerMessage['type']>(query: EventLoopQuery, answer: T) =>
      new Promise<Extract<SiteServerMessage, { type: T }>>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error(`the site process did not answer ${query.type} within 10 s`));
        }, 10_000);
        const onMessage = (message: SiteServerMessage) => {
          if (message.type !== answer) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message as Extract<SiteServerMessage, { type: T }>);
        };
        child.on('message', onMessage);
        child.send(query);
      });
    const eventLoop = async () => (await ask({ type: 'event-loop' }, 'event-loop')).utilization;
    const profile = async () => {
      await ask({ type: 'profile-start' }, 'profile-started');
      return { stop: async () => (await ask({ type: 'profile-stop' }, 'profile')).profile };
    };
    // The socket goes to the child, and this process's copy is closed once sent.
    const adopt = (socket: Socket) => child.send({ type: 'connection' } satisfies EventLoopQuery, socket);
    return { pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, eventLoop, profile, adopt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
