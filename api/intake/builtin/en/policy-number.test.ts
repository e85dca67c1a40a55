import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findPolicyNumber } from './policy-number.js';

const policy = (lines: string[]) => findPolicyNumber(parseTurns(lines.join('\n')))?.value;

describe('findPolicyNumber', () => {
  it('takes the number given when the agent asks for the policy', () => {
    expect(policy(['Agent: What is your policy number?', 'Caller: Nine, two, two, oh, five, one, seven.'])).toBe('9220517');
  });
  it('lets a later correction win over the first reading', () => {
    expect(
      policy([
        'Agent: Your policy number, please?',
        'Caller: Four four one nine zero two.',
        'Agent: Thanks. Anything else?',
        'Caller: Sorry, I misread my policy number, it is four four nine one zero two.',
      ]),
    ).toBe('449102');
  });
  it('ignores the other driver’s policy and a claim reference', () => {
    expect(
      policy([
        'Caller: His policy number is TW 5521 8830.',
        'Agent: And the claim reference on your letter?',
        'Caller: CR 7781 2290.',
        'Agent: And your own policy?',
        'Caller: Mine is six three three, one eight, two two.',
      ]),
    ).toBe('6331822');
  });
  it('drops a read-back the caller rejects', () => {
    expect(
      policy([
        'Agent: Policy number?',
        'Caller: Eight one one, five five, nine.',
        'Agent: 8-1-1-5-9?',
        'Caller: No, 8-1-1-5-5-9.',
        'Agent: 8-1-1-5-5-9, thanks.',
      ]),
    ).toBe('811559');
  });
  it('keeps the dashes the caller says', () => {
    expect(policy(['Agent: And your policy?', 'Caller: R, V, dash, seven seven, dash, one oh one.'])).toBe('RV-77-101');
  });
  it('never takes the number given in answer to a question about the other driver’s insurer', () => {
    expect(
      policy([
        'Agent: And your policy number?',
        'Caller: K as in Kilo, W, then four four, one, nine, oh.',
        'Agent: KW44190. Did he give you his insurer?',
        'Caller: Yes, he is with Northgate Insurance, the policy is Z Q dash eight one two dash five five.',
      ]),
    ).toBe('KW44190');
  });
});
