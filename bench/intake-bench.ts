// Scenario `intake`: drafts every development call of ../shared/intake through the HTTP API of a real
// site (its own process, durable PostgreSQL, the built-in extractor), scores the drafts with the corpus's
// own scorer and times each call: end to end through the queue, and the extractor alone. See BENCHMARKS.md.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createBuiltinExtractor } from '../api/intake/builtin/builtin-extractor.js';
import type { DraftFields } from '../api/intake/extractor.js';
import { connectDatabase } from '../api/db/connect.js';
import { intakeDir, loadScorer } from '../test/support/intake-corpus.js';
import { agentToken, callApi } from './api-client.js';
import { BENCH_SITE } from './dataset.js';
import { type Cleanup, startDurablePostgres } from './durable-postgres.js';
import { machine, postgresFacts } from './machine.js';
import { log, type ScenarioContext } from './progress.js';
import { startSiteProcess } from './site-process.js';

interface IntakeView {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  draft: DraftFields | null;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function runIntakeBench({ command }: ScenarioContext): Promise<string> {
  const startedAt = new Date();
  const scorer = await loadScorer();
  const calls = scorer.loadCorpus(join(intakeDir, 'dev'));
  const cleanups: Cleanup[] = [];
  try {
    const { server } = await startDurablePostgres('crashdesk-bench-intake-', cleanups);
    const database = `crashdesk_${BENCH_SITE}_intake`;
    await server.ensureDatabase(database);
    const postgresSql = connectDatabase(server.url(database), { max: 1, applicationName: 'crashdesk-bench' });
    cleanups.push(() => postgresSql.end({ timeout: 5 }));
    const facts = await postgresFacts(postgresSql);
    const about = machine(facts.version);
    const adminPassword = randomBytes(18).toString('base64url');
    const site = await startSiteProcess({ databaseUrl: server.url(database), poolSize: 10, adminPassword, encryption: { kind: 'off' } });
    cleanups.push(() => site.stop());
    const { token } = await agentToken(site.baseUrl, adminPassword);

    // One call at a time, as an agent pastes them: the time from POST to a done draft, through the queue.
    log(`intake: drafting ${calls.length} calls through the API`);
    const drafts: Record<string, DraftFields> = {};
    const endToEnd: number[] = [];
    for (const call of calls) {
      const started = performance.now();
      const created = await callApi<IntakeView>(site.baseUrl, {
        method: 'POST',
        path: `/${BENCH_SITE}/v1/intakes`,
        token,
        body: { transcript: call.transcript, callDate: call.callDate, language: call.language },
        expect: 202,
      });
      let view = created;
      while (view.status === 'queued' || view.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 2));
        view = await callApi<IntakeView>(site.baseUrl, { method: 'GET', path: `/${BENCH_SITE}/v1/intakes/${created.id}`, token, expect: 200 });
      }
      if (view.status !== 'done' || !view.draft) throw new Error(`intake ${created.id} for ${call.id} ended ${view.status}`);
      endToEnd.push(performance.now() - started);
      drafts[call.id] = view.draft;
    }

    // The extractor alone, in this process, warmed as the site warms it at start.
    const extractor = createBuiltinExtractor();
    extractor.warm?.();
    const alone: number[] = [];
    for (const call of calls) {
      const started = performance.now();
      await extractor.extract(call);
      alone.push(performance.now() - started);
    }

    const result = scorer.scoreCorpus(calls, drafts);
    const goals = Object.entries(scorer.GOALS)
      .map(([field, goal]) => `| ${field} | ${result.table.all[field]!.toFixed(2)} | ${goal.toFixed(2)} | ${result.pass[field] ? 'met' : '**missed**'} |`)
      .join('\n');
    const timing = (label: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      return `| ${label} | ${ms(mean)} | ${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 95))} | ${ms(sorted.at(-1) ?? Number.NaN)} |`;
    };
    return `## Intake assist (built-in extractor)

Run ${startedAt.toISOString()} with \`${command}\`. ${Object.entries(about)
      .map(([key, value]) => `${key}: ${value}`)
      .join('; ')}.

Every development call of \`../shared/intake/dev\` (${calls.length}: ${calls.filter((c) => c.language === 'en').length} English, ${calls.filter((c) => c.language === 'zh').length} Chinese) drafted through \`POST /${BENCH_SITE}/v1/intakes\` and polled until done, one at a time, then scored by \`../shared/intake/score.mjs\`:

\`\`\`
${scorer.formatTable(result)}
\`\`\`

| goal | score | target | |
| --- | --- | --- | --- |
${goals}

Time per call (${calls.length} calls):

| | mean | p50 | p95 | max |
| --- | --- | --- | --- | --- |
${timing('through the API (POST, queue, draft, polls)', endToEnd)}
${timing('the extractor alone', alone)}
`;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}
