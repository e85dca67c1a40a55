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
  it('follows the reason the agent files the call under, and reads 停喺 and a bare 撞护栏', () => {
    expect(extractCallReason(turnsOf('来电者：有人撞了我的车就走了。', '客服：好的，已经为您登记为单车事故。')).value).toBe(CALL_REASONS.singleVehicle);
    expect(extractCallReason(turnsOf('来电者：我架车停喺街边，被人刮花咗，佢走咗。')).value).toBe(CALL_REASONS.parked);
    expect(extractCallReason(turnsOf('来电者：下大雨，车子在国道上撞护栏了，就我一个车。')).value).toBe(CALL_REASONS.singleVehicle);
  });
  it('finds no filing in an agent question', () => {
    expect(extractCallReason(turnsOf('客服：对方是逃逸了吗？', '来电者：没有，他停下来了，我们在路口追尾了。')).value).toBe(CALL_REASONS.accident);
  });
});
