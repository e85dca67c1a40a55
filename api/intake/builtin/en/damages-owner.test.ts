import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findDamages } from './damages.js';

const damages = (lines: string[]) => findDamages(parseTurns(lines.join('\n'))).value;

describe('findDamages: whose car a part is on', () => {
  it('takes the owner said last before the part', () => {
    expect(damages(["Agent: So Pat Kerr's lorry drifted into your lane and hit your rear door, which is dented."])).toEqual(['rear door dented']);
  });
  it('does not copy the insured car’s parts onto another car when the agent asks about "the truck"', () => {
    expect(
      damages([
        'Agent: What damage can you see on the truck?',
        'Caller: Left rear tire is torn and the tailgate is bent.',
        'Agent: Left rear tire torn, tailgate bent.',
      ]),
    ).toEqual(['left rear tire torn', 'tailgate bent']);
  });
  it('takes the harm nearest the part and skips the glass of a broken mirror', () => {
    expect(damages(['Caller: The roof is dented in addition to the cracked windscreen.'])).toEqual(['roof dented', 'windscreen cracked']);
    expect(damages(['Caller: The mirror on the left is broken, the glass is fallen out.'])).toEqual(['left mirror broken']);
  });
  it('lists nothing when the caller says there is not even a scratch', () => {
    expect(damages(['Agent: Any damage?', 'Caller: No. Not even a scratch on his bumper or mine.'])).toEqual([]);
  });
});
