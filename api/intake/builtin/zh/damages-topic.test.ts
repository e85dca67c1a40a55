import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractDamages } from './damages.js';

const damagesOf = (...lines: string[]) => extractDamages(parseTurns(lines.join('\n'))).value;

describe('extractDamages: lists and topics', () => {
  it('gives parts listed with 、 the harm said after the last one', () => {
    expect(damagesOf('客服：左前门、左后门凹陷。')).toEqual(['左前门凹陷', '左后门凹陷']);
  });
  it('keeps a clause naming only the other car as the topic of the parts after it', () => {
    const items = damagesOf('来电者：我的车后保险杠裂了。他那辆车，前保险杠都掉了。');
    expect(items).toContain('对方车辆前保险杠脱落');
    expect(items).not.toContain('前保险杠脱落');
  });
});
