// The development corpus of intake calls (../shared/intake) and its scorer, for the extractor's tests and the
// bench. Run directly to score the built-in extractor on it, optionally one language, verbose, another corpus
// directory of the same format (the held-out fixtures), or writing the drafts out for score.mjs:
//   npx tsx test/support/intake-corpus.ts [en|zh] [--show] [--dir <path>] [--drafts <file>]
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DraftFields, IntakeLanguage } from '../../api/intake/extractor.js';

export const intakeDir = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/intake');

export interface CorpusCall {
  id: string;
  language: IntakeLanguage;
  callDate: string;
  transcript: string;
  expected: Required<DraftFields>;
  notes: string;
}

interface Scorer {
  loadCorpus(dir: string): CorpusCall[];
  scoreCorpus(calls: CorpusCall[], drafts: Record<string, DraftFields>): ScoreResult;
  formatTable(result: ScoreResult): string;
  GOALS: Record<string, number>;
}

export interface ScoreResult {
  rows: { call: CorpusCall; scores: Record<string, number> }[];
  table: { all: Record<string, number>; en?: Record<string, number>; zh?: Record<string, number> };
  pass: Record<string, boolean>;
}

export const loadScorer = async (): Promise<Scorer> => (await import(pathToFileURL(join(intakeDir, 'score.mjs')).href)) as Scorer;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { createBuiltinExtractor } = await import('../../api/intake/builtin/builtin-extractor.js');
  const scorer = await loadScorer();
  const language = process.argv.find((a) => a === 'en' || a === 'zh');
  const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const dir = option('--dir');
  const calls = scorer.loadCorpus(dir ? resolve(dir) : join(intakeDir, 'dev')).filter((c) => !language || c.language === language);
  const extractor = createBuiltinExtractor();
  const drafts: Record<string, DraftFields> = {};
  const started = performance.now();
  for (const call of calls) drafts[call.id] = (await extractor.extract(call)).draft;
  const elapsed = performance.now() - started;
  const result = scorer.scoreCorpus(calls, drafts);
  const draftsFile = option('--drafts');
  if (draftsFile) writeFileSync(draftsFile, JSON.stringify(drafts, null, 2));
  if (process.argv.includes('--show'))
    for (const row of result.rows) {
      const wrong = Object.entries(row.scores).filter(([f, s]) => s < 1 && !['full', 'policyExact'].includes(f));
      for (const [field] of wrong)
        console.log(
          `${row.call.id} ${field}: got ${JSON.stringify(drafts[row.call.id]?.[field as keyof DraftFields])} want ${JSON.stringify(row.call.expected[field as keyof DraftFields])}`,
        );
    }
  console.log(scorer.formatTable(result));
  console.log(`${(elapsed / calls.length).toFixed(1)} ms per call`);
}
