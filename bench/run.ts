// `npm run bench`: runs the scenarios named in BENCH_SCENARIOS (comma list; default: all, in the
// order below) one after another and prints their sections as one report. See BENCHMARKS.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { runApiBench } from './api-bench.js';
import { runEncryptionBench } from './encryption-bench.js';
import { runIntakeBench } from './intake-bench.js';
import { runReplicationBench } from './replication-bench.js';
import { log, type ScenarioContext } from './progress.js';

/** Each scenario starts and stops everything it measures and returns its markdown section. */
const SCENARIOS: Readonly<Record<string, (context: ScenarioContext) => Promise<string>>> = {
  api: runApiBench,
  encryption: runEncryptionBench,
  replication: runReplicationBench,
  intake: runIntakeBench,
};

const RESULTS_FILE = fileURLToPath(new URL('./results/latest.md', import.meta.url));

function selectedScenarios(env: NodeJS.ProcessEnv = process.env): string[] {
  const known = Object.keys(SCENARIOS);
  const names = (env.BENCH_SCENARIOS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_SCENARIOS names ${unknown.join(', ')}; the scenarios are ${known.join(', ')}`);
  return names.length > 0 ? names : known;
}

async function main() {
  const scenarios = selectedScenarios();
  const startedAt = new Date();
  const command = `${Object.entries(process.env)
    .filter(([key]) => key.startsWith('BENCH_'))
    .map(([key, value]) => `${key}=${value} `)
    .join('')}npm run bench`;
  log(`${command}: scenarios ${scenarios.join(', ')}`);

  const sections: string[] = [];
  for (const name of scenarios) {
    log(`scenario ${name}`);
    sections.push(await SCENARIOS[name]!({ command }));
  }
  const report = `# crashdesk benchmark

Started ${startedAt.toISOString()} with \`${command}\`; scenarios: ${scenarios.join(', ')}.

${sections.join('\n')}`;
  process.stdout.write(report);
  await mkdir(join(RESULTS_FILE, '..'), { recursive: true });
  await writeFile(RESULTS_FILE, report);
  log(`report written to ${RESULTS_FILE}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`benchmark failed: ${inspect(error, { depth: 4 })}\n`);
    process.exit(1);
  },
);
