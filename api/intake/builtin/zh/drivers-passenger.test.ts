import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractDrivers } from './drivers.js';

const driversOf = (...lines: string[]) => extractDrivers(parseTurns(lines.join('\n')))?.value;

describe('extractDrivers: a relative riding along', () => {
  it('keeps the caller who drove and leaves out a relative in the 副驾驶 seat', () => {
    expect(
      driversOf(
        '客服：请问有人受伤吗？',
        '来电者：没有。我丈夫邵明轩坐在副驾驶，没事。',
        '客服：请问驾驶人是您本人吗？您的姓名是？',
        '来电者：是我本人驾驶，我叫温若琳。',
      ),
    ).toEqual(['温若琳']);
  });
  it('still takes a relative who drove', () => {
    expect(driversOf('客服：您怎么称呼？', '来电者：我叫顾海峰，车是我儿子开的。', '客服：您儿子叫什么？', '来电者：他叫顾子昂。')).toEqual(['顾子昂']);
  });
});
