import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractAccidentDate } from './accident-date.js';

const dateOf = (callDate: string, ...lines: string[]) => extractAccidentDate(parseTurns(lines.join('\n')), callDate)?.value;

describe('extractAccidentDate', () => {
  it('resolves 昨天, 前天 and 大前天 against the call day, across a month end', () => {
    expect(dateOf('2026-03-01', '来电者：昨天晚上被追尾了。')).toBe('2026-02-28');
    expect(dateOf('2026-03-01', '来电者：前天在路口撞了。')).toBe('2026-02-27');
    expect(dateOf('2026-03-01', '来电者：大前天出的事故。')).toBe('2026-02-26');
  });

  it('puts 上周五 in the previous Monday-to-Sunday week', () => {
    // 2026-04-13 is a Monday; the previous week's Friday is 04-10.
    expect(dateOf('2026-04-13', '来电者：上周五下午出了个事故。')).toBe('2026-04-10');
    expect(dateOf('2026-04-19', '来电者：上个礼拜天被人刮了。')).toBe('2026-04-12');
  });

  it('takes a bare weekday as the most recent one before the call', () => {
    expect(dateOf('2026-04-16', '来电者：星期一早上撞的。')).toBe('2026-04-13');
  });

  it('reads X号 as the most recent such day, in the previous month when needed', () => {
    expect(dateOf('2026-05-03', '来电者：我二十八号那天出了事故。')).toBe('2026-04-28');
  });

  it('reads an explicit month and day', () => {
    expect(dateOf('2026-09-20', '来电者：9月5日在高速上发生了事故，今天才拿到认定书。')).toBe('2026-09-05');
  });

  it('lets the corrected day win over the one the caller took back', () => {
    expect(dateOf('2026-06-10', '来电者：昨天撞的车。', '客服：昨天几点？', '来电者：哦不对，不是昨天，是前天晚上。')).toBe('2026-06-08');
  });

  it('does not take the day of a hospital visit for the accident', () => {
    expect(dateOf('2026-06-10', '来电者：前天被追尾了，昨天去医院拍了个片。')).toBe('2026-06-08');
  });

  it('never gives a day after the call', () => {
    expect(dateOf('2026-06-10', '来电者：25号撞的。')).toBe('2026-05-25');
  });

  it('does not read a house number or parking space as a day', () => {
    expect(dateOf('2026-06-10', '来电者：在人民路12号门口，停在8号车位。')).toBeUndefined();
  });
});
