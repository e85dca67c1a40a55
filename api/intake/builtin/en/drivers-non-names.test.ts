import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findDrivers } from './drivers.js';

const drivers = (lines: string[]) => findDrivers(parseTurns(lines.join('\n'))).value;

describe('findDrivers: words and people that are not drivers', () => {
  it('never takes an indefinite pronoun that opens a sentence as a name', () => {
    expect(
      drivers(['Agent: Your name, please?', 'Caller: Imogen Vasquez.', 'Agent: What happened?', 'Caller: Somebody clipped my wing mirror. Someone drove off.']),
    ).toEqual(['Imogen Vasquez']);
  });
  it('never takes a street or organisation word as a driver', () => {
    expect(
      drivers([
        'Agent: Your name?',
        'Caller: Oswin Rutter.',
        'Agent: Go on.',
        'Caller: A van coming along Department ran the light. Division came out later.',
        'Agent: The other driver’s name?',
        'Caller: Lorcan Beasley.',
      ]),
    ).toEqual(['Oswin Rutter', 'Lorcan Beasley']);
  });
  it('drops a spoken title and keeps one person named with and without it', () => {
    expect(
      drivers([
        'Agent: Your name?',
        'Caller: Priya Halvorsen.',
        'Agent: And the other driver’s name?',
        'Caller: Mister Callum Brightwater. Callum Brightwater was driving the red hatchback.',
      ]),
    ).toEqual(['Priya Halvorsen', 'Callum Brightwater']);
  });
  it('leaves out car-park staff who are named after the crash', () => {
    expect(
      drivers([
        'Agent: Your name?',
        'Caller: Wendell Okafor.',
        'Agent: And the other driver’s name?',
        'Caller: Bettina Crowe. The car park attendant came over too, Hamish Fairlie his name was, he wrote it all down.',
      ]),
    ).toEqual(['Wendell Okafor', 'Bettina Crowe']);
  });
});
