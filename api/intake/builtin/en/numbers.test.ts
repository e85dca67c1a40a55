import { describe, expect, it } from 'vitest';
import { spokenRuns, wordsToNumber } from './numbers.js';

const values = (text: string) => spokenRuns(text).map((r) => r.value);

describe('spokenRuns', () => {
  it('reads digits said one by one with oh and nought for zero', () => {
    expect(values('It is five, oh, two, nought, nine, one.')).toEqual(['502091']);
  });
  it('expands double and triple', () => {
    expect(values('triple two, double oh, six')).toEqual(['222006']);
  });
  it('reads numbers said in groups', () => {
    expect(values('thirty-one, oh eight, ninety-nine, twelve')).toEqual(['31089912']);
  });
  it('reads letters given with example words and keeps a spoken dash', () => {
    expect(values('B as in Bravo, Q like queen, dash, four four one')).toEqual(['BQ-441']);
  });
  it('does not repeat letters spelled again in the phonetic alphabet', () => {
    expect(values('G, T, that is golf, tango, then seven seven one two')).toEqual(['GT7712']);
  });
  it('keeps printed hyphens between groups but not between single digits', () => {
    expect(values('Policy QRT-5510-220. Then 3-3-1-9-0')).toEqual(['QRT-5510-220', '33190']);
  });
  it('fills the zeros of a hundred', () => {
    expect(values('six hundred and forty-two')).toEqual(['642']);
  });
  it('breaks runs at ordinary words', () => {
    expect(values('I have two dogs and three cats')).toEqual(['2', '3']);
  });
});

describe('wordsToNumber', () => {
  it('reads small counts in words or digits', () => {
    expect([wordsToNumber('three'), wordsToNumber('12'), wordsToNumber('twenty-one'), wordsToNumber('banana')]).toEqual([3, 12, 21, undefined]);
  });
});

describe('spokenRuns with a lone I or A', () => {
  it('reads I and A as letters when more symbols follow, not as the pronoun', () => {
    expect(values('A, K, seven two, double nine, oh one')).toEqual(['AK729901']);
    expect(values('I R 4 4 1 0 2')).toEqual(['IR44102']);
    expect(values('I, um, I think it was four five')).toEqual(['45']);
  });
});
