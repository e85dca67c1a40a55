import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createAuditTrail } from '../audit/trail.js';
import { createPlainFieldCodec } from '../crypto/field-codec.js';
import { createLogger } from '../observability/logger.js';
import { type BatchApplier, createBatchApplier } from './apply.js';
import { replicationMetrics } from './metrics.js';
import { replicatedReport } from '../../test/support/replicated-report.js';
import type { ReplicatedReport } from './schema.js';
import { readStates } from './states.js';

const codec = createPlainFieldCodec();
const leedsReport = (id: string, overrides: Partial<ReplicatedReport> = {}): ReplicatedReport => replicatedReport('leeds', { id, ...overrides });

describe('a replicated state refused at hq', () => {
  let db: TestDatabase;
  let registry: Registry;
  let applyBatch: BatchApplier;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    registry = new Registry();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(
          ...chunk
            .toString()
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        );
        done();
      },
    });
    applyBatch = createBatchApplier({
      sql: db.sql,
      codec,
      audit: createAuditTrail(db.sql),
      site: 'hq',
      metrics: replicationMetrics(registry),
      logger: createLogger('info', destination),
    });
  });
  afterAll(() => db?.drop());

  const refusedCount = async (peer: string, reason: string) => {
    const { values } = await registry.getSingleMetric('crashdesk_replication_refused_total')!.get();
    return values.find((value) => value.labels.site === 'hq' && value.labels.peer === peer && value.labels.reason === reason)?.value ?? 0;
  };

  it('is counted by peer and reason, logged as a warning naming both, and audited, while the rest of its batch applies', async () => {
    const own = leedsReport('121199659585765376');
    // Leeds's key speaking for York: a version York is said to have made.
    const forged = leedsReport('121199659585765377', { originSite: 'york' });
    const before = { notItsOrigin: await refusedCount('leeds', 'not-its-origin'), invalid: await refusedCount('leeds', 'invalid') };

    const result = await applyBatch('leeds', { lastSeq: 7, reports: [forged, own] });

    expect(result).toEqual({ applied: 1, rejected: 0, unchanged: 0, refused: [{ id: forged.id, reason: 'not-its-origin' }] });
    expect(await refusedCount('leeds', 'not-its-origin')).toBe(before.notItsOrigin + 1);
    expect(await refusedCount('leeds', 'invalid')).toBe(before.invalid);

    const warnings = logLines.filter((line) => line.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({
        peer: 'leeds',
        refused: [{ id: forged.id, reason: 'not-its-origin' }],
        msg: 'refused replicated states that the sender may not send',
      }),
    ]);

    expect(await readStates(db.sql, codec, [own.id, forged.id])).toEqual([own]);
    const denied = await db.sql<{ actor: string; details: Record<string, unknown> }[]>`
      select actor, details from audit_log where action = 'report.replicate' and outcome = 'denied'`;
    expect(denied).toEqual([{ actor: 'replication:leeds', details: { lastSeq: 7, refused: [{ id: forged.id, reason: 'not-its-origin' }] } }]);
  });
});
