import { describe, expect, it } from 'vitest';
import { numberRuns } from './number-runs.js';
import { digitOf, smallNumberValue } from './numerals.js';

describe('numerals', () => {
  it('reads 幺 as 1, 两 as 2 and full-width digits as digits', () => {
    expect([digitOf('幺'), digitOf('两'), digitOf('７'), digitOf('零')]).toEqual(['1', '2', '7', '0']);
  });

  it('reads day numbers said as numbers', () => {
    expect([smallNumberValue('七'), smallNumberValue('十一'), smallNumberValue('二十七'), smallNumberValue('三十'), smallNumberValue('12')]).toEqual([
      7, 11, 27, 30, 12,
    ]);
    expect(smallNumberValue('一二')).toBeUndefined();
  });
});

describe('numberRuns', () => {
  it('joins letters and digit groups across pauses and 然后', () => {
    expect(numberRuns('是Q、R，然后二零，三幺。').map((r) => r.value)).toEqual(['QR2031']);
  });

  it('does not take the tail of a Latin word for spelled letters', () => {
    expect(numberRuns('Robert 一二三').map((r) => r.value)).toEqual(['123']);
  });
});
