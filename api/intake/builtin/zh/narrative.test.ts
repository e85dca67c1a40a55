import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { CALL_REASONS, composeSummary, extractCallReason, extractCause } from './narrative.js';

const turnsOf = (...lines: string[]) => parseTurns(lines.join('\n'));

describe('extractCallReason', () => {
  it('tells a parked car from a hit-and-run, a single-vehicle accident and an addition', () => {
    expect(extractCallReason(turnsOf('来电者：我的车停在路边被人刮了，对方跑了。')).value).toBe(CALL_REASONS.parked);
    expect(extractCallReason(turnsOf('来电者：我在路上被一辆车撞了，他直接逃逸了。')).value).toBe(CALL_REASONS.hitAndRun);
    expect(extractCallReason(turnsOf('来电者：我倒车的时候自己撞到墙上了。')).value).toBe(CALL_REASONS.singleVehicle);
    expect(extractCallReason(turnsOf('来电者：我前几天已经报过案了，想补充一点情况。')).value).toBe(CALL_REASONS.addInformation);
    expect(extractCallReason(turnsOf('来电者：我在路口被追尾了。')).value).toBe(CALL_REASONS.accident);
  });

  it('does not read a car rolling back (溜了一下) as a hit-and-run', () => {
    expect(extractCallReason(turnsOf('来电者：前车起步往后溜了一下，碰到我了。')).value).toBe(CALL_REASONS.accident);
  });
});

describe('extractCause', () => {
  it("gives the caller's sentence about how it happened, as one sentence without the damage", () => {
    const cause = extractCause(turnsOf('来电者：我在排队等左转，后面一辆车没刹住追尾了我。后保险杠裂了。')).value;
    expect(cause).toBe('我在排队等左转，后面一辆车没刹住追尾了我。');
  });

  it('says the cause was not told rather than making one up', () => {
    expect(extractCause(turnsOf('来电者：你好，我要报案。')).confidence).toBeLessThan(0.3);
  });
});

describe('composeSummary', () => {
  it('names every driver in at most three sentences', () => {
    const summary = composeSummary({
      drivers: ['甲乙丙', 'Anna Weber'],
      accidentDate: '2026-01-02',
      location: '人民路',
      cause: '对方变道。',
      damages: ['前门凹陷'],
    });
    expect(summary).toContain('甲乙丙');
    expect(summary).toContain('Anna Weber');
    expect(summary.split(/(?<=[。！？])/).filter((s) => s.trim()).length).toBeLessThanOrEqual(3);
  });
});

describe('extractCause, 对方', () => {
  it('keeps 对方 while dropping a leading 对', () => {
    expect(extractCause(turnsOf('来电者：对，对方变道没打灯，蹭到我了。')).value).toBe('对方变道没打灯，蹭到我了。');
  });
});
