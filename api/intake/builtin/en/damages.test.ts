import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findDamages } from './damages.js';

const damages = (lines: string[]) => findDamages(parseTurns(lines.join('\n'))).value;

describe('findDamages', () => {
  it('lists each damaged part with its side', () => {
    expect(damages(['Agent: What is the damage?', 'Caller: The rear bumper is cracked and the left tail light is smashed.'])).toEqual([
      'rear bumper cracked',
      'left tail light smashed',
    ]);
  });
  it('marks parts of the other car', () => {
    expect(damages(['Caller: My bonnet is dented.', 'Agent: And his car?', 'Caller: His front wing got scraped.'])).toEqual([
      'bonnet dented',
      "other vehicle's front wing scraped",
    ]);
  });
  it('counts a part said by the caller and read back by the agent once', () => {
    expect(damages(['Caller: The driver side mirror is hanging off.', 'Agent: Driver’s side mirror hanging off, got it.'])).toHaveLength(1);
  });
  it('leaves out injuries and guesses', () => {
    expect(damages(['Caller: My wrist is sprained. Maybe the bumper has a scuff, I did not look.'])).toEqual([]);
  });
  it('returns nothing when nothing was damaged', () => {
    expect(damages(['Agent: Any damage?', 'Caller: Not a mark on either car.'])).toEqual([]);
  });
  it('puts answers about "the other vehicles" and "the other party’s" read-back on the other car', () => {
    expect(
      damages(['Agent: And the other vehicles?', "Caller: Marisol's SUV, the tailgate got dented in."]).every((d) => d.startsWith("other vehicle's")),
    ).toBe(true);
    expect(damages(['Caller: And his car, the left mirror broke.', "Agent: Other party's left mirror broken. Anything else?"])).toEqual([
      "other vehicle's left mirror broke",
    ]);
  });
});
