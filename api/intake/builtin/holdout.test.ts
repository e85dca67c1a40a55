// Calls in the corpus format that the rules were not written from, to catch rules that fit the
// development calls rather than the kinds of difficulty they show: test/fixtures/intake-holdout (written
// after the rules, by the same hands), test/fixtures/intake-blind … intake-blind-6 (each written by
// someone who never saw the code). Each was scored before the rules were changed for what it showed
// (BENCHMARKS.md), so they
// now guard against regressions rather than measure generalisation.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { DraftFields } from '../extractor.js';
import { loadScorer } from '../../../test/support/intake-corpus.js';
import { createBuiltinExtractor } from './builtin-extractor.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures');

it.each(['intake-holdout', 'intake-blind', 'intake-blind-2', 'intake-blind-3', 'intake-blind-4', 'intake-blind-5', 'intake-blind-6'])(
  'meets the intake goals on the calls of test/fixtures/%s',
  async (set) => {
    const scorer = await loadScorer();
    const calls = scorer.loadCorpus(join(fixtures, set));
    const extractor = createBuiltinExtractor();
    const drafts: Record<string, DraftFields> = {};
    for (const c of calls) drafts[c.id] = (await extractor.extract(c)).draft;
    const { table, pass } = scorer.scoreCorpus(calls, drafts);
    expect(calls.map((c) => c.language)).toEqual(expect.arrayContaining(['en', 'zh']));
    for (const field of Object.keys(scorer.GOALS)) expect(pass[field], `${field} ${table.all[field]}`).toBe(true);
  },
);
