import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { correctPolicy } from './policy-corrections.js';
import { findPolicyNumber } from './policy-number.js';

const policy = (lines: string[]) => findPolicyNumber(parseTurns(lines.join('\n')))?.value;

describe('correctPolicy', () => {
  it('patches the digit a partial correction names', () => {
    expect(correctPolicy('5530271', 'Oh wait, the last digit is eight, not one.')).toBe('5530278');
    expect(correctPolicy('5530271', 'Sorry, the second-last one is an eight.')).toBe('5530281');
    expect(correctPolicy('5530271', 'Actually the first digit should be 6.')).toBe('6530271');
    expect(correctPolicy('KT-5530-271', 'No, the last two are nine nine.')).toBe('KT-5530-299');
  });
  it('takes a tail said "at the end" only when the caller is correcting', () => {
    expect(correctPolicy('44120935', 'Sorry, three six at the end, not three five.')).toBe('44120936');
    expect(correctPolicy('44120935', 'We stopped at the end of the road, the one at the end.')).toBe('44120935');
  });
  it('replaces the number with a close re-reading', () => {
    expect(correctPolicy('44120935', "Let me look again. It's four four one two, oh nine six five.")).toBe('44120965');
    expect(correctPolicy('44120935', 'My phone is seven seven zero nine, one one two two.')).toBe('44120935');
  });
});

describe('findPolicyNumber with corrections and spelling', () => {
  it('applies a correction said after the read-back was confirmed', () => {
    expect(
      policy([
        'Agent: Your policy number?',
        'Caller: Three one four, one five nine two.',
        'Agent: 3 1 4 1 5 9 2.',
        'Caller: Yes. Oh hang on, sorry, the last digit is a six, not a two.',
      ]),
    ).toBe('3141596');
  });
  it('reads a letter from any example word and keeps said dashes', () => {
    expect(policy(['Agent: Policy number?', "Caller: It's R as in Rabbit, T for tomato, dash, four four oh one."])).toBe('RT-4401');
    expect(policy(['Agent: Policy number?', 'Caller: O as in orange, four four oh one two.'])).toBe('O44012');
  });
  it('keeps the letters of a read-back like "K A dash 5 5"', () => {
    expect(policy(['Agent: Policy number?', 'Caller: K, A, dash, five five one two.', 'Agent: K A dash 5 5 1 2.', 'Caller: Right.'])).toBe('KA-5512');
  });
  it("takes the caller's own number after they first read the other driver's insurer", () => {
    expect(
      policy([
        'Agent: Your policy number?',
        'Caller: One two three... no, that is his card. His policy is with Acme, one two three four five six.',
        "Agent: OK, I'll note his insurer. And your own policy number?",
        'Caller: Mine is Q Z, then forty-four, ninety-one.',
      ]),
    ).toBe('QZ4491');
  });
});
