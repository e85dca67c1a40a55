import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findDrivers } from './drivers.js';

const drivers = (lines: string[]) => findDrivers(parseTurns(lines.join('\n'))).value;

describe('findDrivers: people who were not driving', () => {
  it('never takes an imperative that opens the agent’s advice as a name', () => {
    expect(drivers(['Agent: Your name?', 'Caller: Marguerite Olsen.', 'Agent: Help is coming. Keep in the car, Marguerite. Wait in the car.'])).toEqual([
      'Marguerite Olsen',
    ]);
  });
  it('drops a name the caller takes back and keeps the one they give for themself', () => {
    expect(drivers(['Agent: Your name?', "Caller: Piet Jansen... sorry, no, Piet's my husband. I'm Ilse Jansen."])).toEqual(['Ilse Jansen']);
  });
  it('takes the name from a greeting and leaves out a witness named as "a guy called"', () => {
    expect(
      drivers([
        'Agent: Good morning, Coastline Insurance.',
        "Caller: Morning, it's Ravi Menon. Someone hit my car and drove off.",
        'Agent: Did anyone else see it?',
        'Caller: A shop owner, a guy called Tomas Reyes, he said he would be a witness.',
      ]),
    ).toEqual(['Ravi Menon']);
  });
});
