import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '../support/site.js';

const MiB = 1024 * 1024;

/**
 * Oversized bodies sent by Node's own fetch (undici) to a real HTTP server of a real site, as
 * @hono/node-server serves it in api/main.ts: every one must be answered, never reset.
 */
describe('an oversized body over real HTTP', () => {
  let site: TestSite;
  let server: ServerType;
  let base: string;
  let token: string;
  beforeAll(async () => {
    site = await createTestSite();
    token = await site.tokenFor('agent');
    server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: site.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/london`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await site?.stop();
  });

  /** The status and problem of one request, or the network error that took its place. */
  async function send(path: string, body: RequestInit['body'], extra: RequestInit = {}) {
    try {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
        ...extra,
      });
      const type = response.headers.get('content-type');
      return { status: response.status, type, problem: type === 'application/problem+json' ? ((await response.json()) as { status: number }) : undefined };
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      return { status: 0, type: null, problem: undefined, error: `${cause?.code ?? ''} ${cause?.message ?? (error as Error).message}` };
    }
  }

  const tooLarge = {
    status: 413,
    type: 'application/problem+json',
    problem: expect.objectContaining({ status: 413, type: expect.stringContaining('body-too-large') }),
  };

  // Up to 16 MiB the rest of the body is read before answering; 32 MiB goes past that bound.
  it.each([1.25, 2, 4, 8, 16, 32])('always answers a %s MiB body with the 413 problem, never a reset socket (12 in a row)', async (mebibytes) => {
    const body = Buffer.alloc(Math.floor(mebibytes * MiB), 'a');
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await send('/v1/accidents', body));
    expect(answers).toEqual(Array.from({ length: 12 }, () => tooLarge));
  });

  it('answers a streamed body without Content-Length with the 413 problem once it passes 1 MiB', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const chunk = Buffer.alloc(64 * 1024, 'b');
      let sent = 0;
      const stream = new ReadableStream({
        pull(controller) {
          if (sent >= 3 * MiB) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      answers.push(await send('/v1/accidents', stream, { duplex: 'half' }));
    }
    expect(answers).toEqual(Array.from({ length: 6 }, () => tooLarge));
  });

  it('answers a 2 MiB login body with the 413 problem, and the connection still serves what follows', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send('/v1/auth/login', Buffer.alloc(2 * MiB, 'c')));
    expect(answers).toEqual(Array.from({ length: 6 }, () => tooLarge));
    const after = await fetch(`${base}/v1/accidents?date=2026-11-20`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(200);
  });
});
