// The invented held-out calls in test/fixtures/intake-holdout: written after the rules, in the corpus format,
// to catch rules that fit the development calls rather than the kinds of difficulty they show.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { DraftFields } from '../extractor.js';
import { loadScorer } from '../../../test/support/intake-corpus.js';
import { createBuiltinExtractor } from './builtin-extractor.js';

const holdoutDir = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/intake-holdout');

it('meets the intake goals on the held-out fixture calls', async () => {
  const scorer = await loadScorer();
  const calls = scorer.loadCorpus(holdoutDir);
  const extractor = createBuiltinExtractor();
  const drafts: Record<string, DraftFields> = {};
  for (const c of calls) drafts[c.id] = (await extractor.extract(c)).draft;
  const { table, pass } = scorer.scoreCorpus(calls, drafts);
  expect(calls.map((c) => c.language)).toEqual(expect.arrayContaining(['en', 'zh']));
  for (const field of Object.keys(scorer.GOALS)) expect(pass[field], `${field} ${table.all[field]}`).toBe(true);
});
