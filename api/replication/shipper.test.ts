import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, newReport, type TestSite } from '../../test/support/site.js';
import { createPlainFieldCodec } from '../crypto/field-codec.js';
import { createLogger } from '../observability/logger.js';
import { replicationMetrics } from './metrics.js';
import { startShipper } from './shipper.js';
import { createPeerClient } from './peer-client.js';

describe('the shipper', () => {
  let site: TestSite;
  let receiver: Server;
  let url: string;
  const received: string[] = [];
  const lastSeqs: number[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  let failNext = 0;
  const ids: string[] = [];

  beforeAll(async () => {
    site = await createTestSite({ site: 'london', encryption: 'off' });
    const token = await site.tokenFor('agent');
    for (let i = 0; i < 60; i++) ids.push((await site.call('POST', '/v1/accidents', { token, body: newReport() })).body.id as string);
    // A peer that takes a while per batch, and can be told to fail.
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        setTimeout(() => {
          inFlight -= 1;
          if (failNext > 0) {
            failNext -= 1;
            response.writeHead(503).end();
            return;
          }
          const batch = JSON.parse(body) as { lastSeq: number; reports: { id: string }[] };
          received.push(...batch.reports.map((report) => report.id));
          lastSeqs.push(batch.lastSeq);
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        }, 80);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await site?.stop();
  });

  const ship = () =>
    startShipper({
      sql: site.sql,
      codec: createPlainFieldCodec(),
      site: 'london',
      target: 'hq',
      url: () => url,
      signingKey: () => ({ key: 'k'.repeat(64), version: 1 }),
      client: createPeerClient(),
      batchSize: 10,
      intervalMs: 20,
      backoffMaxMs: 200,
      logger: createLogger('silent'),
      metrics: replicationMetrics(new Registry()),
    });
  const drained = async () => {
    for (let i = 0; i < 200; i++) {
      const [{ n }] = (await site.sql`select count(*)::int as n from replication_outbox`) as unknown as [{ n: number }];
      if (n === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the outbox did not drain');
  };

  it('lets two replicas ship one outbox at once, each row once (FOR UPDATE SKIP LOCKED)', async () => {
    await site.sql`insert into replication_outbox (target, report_id) select 'hq', unnest(${ids}::bigint[])`;
    const replicas = [ship(), ship()];
    await drained();
    await Promise.all(replicas.map((replica) => replica.stop()));
    expect(mostInFlight).toBe(2);
    expect([...received].sort()).toEqual([...ids].sort());
  });

  it('keeps the rows of a refused batch and delivers them after backing off', async () => {
    received.length = 0;
    failNext = 3;
    await site.sql`insert into replication_outbox (target, report_id) select 'hq', unnest(${ids.slice(0, 5)}::bigint[])`;
    const replica = ship();
    await drained();
    expect(replica.state().consecutiveFailures).toBe(0);
    await replica.stop();
    expect([...received].sort()).toEqual([...ids.slice(0, 5)].sort());
    const [{ position }] = (await site.sql`select position::int from replication_checkpoints where peer = 'hq' and direction = 'shipped'`) as unknown as [
      { position: number },
    ];
    expect(position).toBeGreaterThan(0);
  });

  it('ships the outbox in its order, by number across a power of ten, each batch naming the greatest seq it holds', async () => {
    received.length = 0;
    lastSeqs.length = 0;
    // Push the outbox's sequence past a power of ten, so that text order ("100" before "99") would differ.
    const [{ seq }] = (await site.sql`select coalesce(max(seq), 0)::int as seq from replication_outbox`) as unknown as [{ seq: number }];
    await site.sql`select setval(pg_get_serial_sequence('replication_outbox', 'seq'), ${Math.max(seq, 995)})`;
    await site.sql`insert into replication_outbox (target, report_id) select 'hq', unnest(${ids.slice(0, 30)}::bigint[])`;
    const replica = ship();
    await drained();
    await replica.stop();
    expect(received).toEqual(ids.slice(0, 30));
    expect(lastSeqs).toEqual([...lastSeqs].sort((a, b) => a - b));
    expect(lastSeqs.at(-1)).toBeGreaterThanOrEqual(1025);
  });
});
