import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
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
  stop(): Promise<void>;
}

/** Forks bench/site-server.ts (TypeScript, through tsx's loader) and waits until it listens. */
export async function startSiteProcess(start: Omit<SiteServerStart, 'type'>): Promise<SiteProcess> {
  const child = fork(fileURLToPath(new URL('./site-server.ts', import.meta.url)), [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
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
    return { pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, eventLoop, profile, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
