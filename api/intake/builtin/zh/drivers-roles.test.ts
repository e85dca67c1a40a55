import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractDrivers } from './drivers.js';

const driversOf = (...lines: string[]) => extractDrivers(parseTurns(lines.join('\n')))?.value;

describe('extractDrivers: roles in a chain collision', () => {
  it('takes the driver who hit a relative and skips a nationality after 是', () => {
    const drivers = driversOf(
      '客服：请问您怎么称呼？',
      '来电者：我叫欧阳琳，是替我爸爸报案的，驾驶员是我爸爸，欧阳建国。',
      '客服：另外两位驾驶员的姓名您知道吗？',
      '来电者：追尾我爸的是一位叫唐立新的先生，最后面那辆车的司机叫朴成浩，是韩国人。',
    );
    expect(drivers).toEqual(['欧阳建国', '唐立新', '朴成浩']);
  });
  it('reads the other driver from an answer to a question about their 资料', () => {
    expect(driversOf('客服：怎么称呼？', '来电者：我叫梁志伟。', '客服：对方驾驶有留资料给您吗？', '来电者：有，他叫邓家豪。')).toEqual(['梁志伟', '邓家豪']);
  });
});
