import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { chineseNumberValue, kilometrePosts } from './km-posts.js';
import { extractLocation } from './location.js';

describe('kilometre posts', () => {
  it('reads Chinese numbers with 百 and 十', () => {
    expect(chineseNumberValue('八十七')).toBe(87);
    expect(chineseNumberValue('一百零五')).toBe(105);
    expect(chineseNumberValue('一二三')).toBeUndefined();
  });
  it('writes a kilometre figure in digits', () => {
    expect(kilometrePosts('二百一十公里')).toBe('210公里处');
    expect(kilometrePosts('35公里桩')).toBe('35公里桩');
  });
  it('keeps the direction 北上 and the km post of a spoken highway place', () => {
    const location = extractLocation(parseTurns(['客服：请问在哪里发生的？', '来电者：在国道三号南下，大概一百二十公里那边，竹林那一段。'].join('\n')))?.value;
    expect(location).toBe('国道三号南下120公里处竹林路段');
  });
});
