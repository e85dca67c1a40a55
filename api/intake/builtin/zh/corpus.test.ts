import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DraftFields } from '../../extractor.js';
import { intakeDir, loadScorer } from '../../../../test/support/intake-corpus.js';
import { extractChinese } from './extract-chinese.js';

it('meets the goals on the Chinese development calls', async () => {
  const scorer = await loadScorer();
  const calls = scorer.loadCorpus(join(intakeDir, 'dev')).filter((c) => c.language === 'zh');
  const drafts: Record<string, DraftFields> = Object.fromEntries(calls.map((c) => [c.id, extractChinese(c).draft]));
  const zh = scorer.scoreCorpus(calls, drafts).table.zh!;
  expect(calls.length).toBeGreaterThan(0);
  for (const [field, goal] of Object.entries(scorer.GOALS)) expect(zh[field], field).toBeGreaterThanOrEqual(goal);
  expect(zh.callReason).toBeGreaterThanOrEqual(0.8);
  expect(zh.cause).toBeGreaterThanOrEqual(0.9);
  expect(zh.summary).toBeGreaterThanOrEqual(0.9);
});
