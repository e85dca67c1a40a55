// A separate OS process for worker-lease.test.ts: leases several worker slots at once, each over a
// connection of its own, once the test says "go" on stdin, so the processes race for real.
// Usage: node --import tsx worker-lease-race-child.ts <database url> <lease count>
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import { acquireWorkerLease } from '../../api/ids/worker-lease.js';

const [url, countText] = process.argv.slice(2);
if (!url || !countText) throw new Error('usage: worker-lease-race-child.ts <database url> <lease count>');
const clients = Array.from({ length: Number(countText) }, () => postgres(url, { max: 1, onnotice: () => undefined }));
await Promise.all(clients.map((sql) => sql`select 1`));
const stdin = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await once(stdin, 'line');
stdin.close();

// Long enough to outlive the test's assertions; nothing renews or releases these leases.
const results = await Promise.allSettled(clients.map((sql) => acquireWorkerLease(sql, { ttlMs: 60_000 })));
const report = results.map((result) =>
  result.status === 'fulfilled'
    ? { workerSlot: result.value.workerSlot, holder: result.value.holder }
    : { error: result.reason instanceof Error ? result.reason.message : String(result.reason) },
);
process.stdout.write(`${JSON.stringify(report)}\n`);
await Promise.all(clients.map((sql) => sql.end()));
