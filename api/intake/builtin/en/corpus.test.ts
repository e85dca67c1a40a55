import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DraftFields } from '../../extractor.js';
import { intakeDir, loadScorer } from '../../../../test/support/intake-corpus.js';
import { extractEnglish } from './extract-english.js';

it('meets the intake goals on the English development calls', async () => {
  const scorer = await loadScorer();
  const calls = scorer.loadCorpus(join(intakeDir, 'dev')).filter((c) => c.language === 'en');
  const drafts: Record<string, DraftFields> = {};
  for (const c of calls) drafts[c.id] = extractEnglish(c).draft;
  const english = scorer.scoreCorpus(calls, drafts).table.en!;
  for (const [field, goal] of Object.entries(scorer.GOALS)) expect(english[field], field).toBeGreaterThanOrEqual(goal);
});
