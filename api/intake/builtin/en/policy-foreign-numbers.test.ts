import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findPolicyNumber } from './policy-number.js';

const policy = (lines: string[]) => findPolicyNumber(parseTurns(lines.join('\n')))?.value;

describe('findPolicyNumber: numbers asked for as something else', () => {
  it('never takes the contact number asked for in the turn that reads the policy back', () => {
    expect(
      policy([
        'Agent: And the policy number?',
        'Caller: Seven, one, three, three, zero, eight, four.',
        'Agent: Seven one three three zero eight four. And a contact number?',
        'Caller: Zero seven nine, four four one, two two six.',
        'Agent: Thanks.',
      ]),
    ).toBe('7133084');
  });
  it('never takes a claim reference, and ignores a postcode after a read-back', () => {
    expect(
      policy([
        'Agent: Do you have the claim reference?',
        'Caller: Yes, it is K R 4 4 1 9 2.',
        'Agent: KR44192. And your name and policy number?',
        'Caller: Odile Brandt. Policy number is six double two eight one nine three.',
        'Agent: Six, two, two, eight, one, nine, three. I can see the report, Elm Parade, 560031. Correct?',
        'Caller: Yes.',
      ]),
    ).toBe('6228193');
  });
});
