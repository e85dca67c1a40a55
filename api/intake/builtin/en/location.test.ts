import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findLocation } from './location.js';

const location = (lines: string[]) => findLocation(parseTurns(lines.join('\n')))?.value;

describe('findLocation', () => {
  it('takes the answer to where it happened', () => {
    expect(location(['Agent: Where did it happen?', 'Caller: At the corner of Elm Street and Harbour Road. He came out fast.'])).toBe(
      'Corner of Elm Street and Harbour Road',
    );
  });
  it('prefers a later precise answer to an early vague one and keeps the town', () => {
    const found = location([
      'Agent: Where was this?',
      'Caller: Somewhere outside Kettering.',
      'Agent: Do you know which road?',
      'Caller: The A14, heading east, near junction 9.',
    ]);
    expect(found).toContain('A14');
    expect(found).toContain('eastbound');
    expect(found).toContain('junction 9');
    expect(found).toContain('Kettering');
  });
  it('adds the road named in the agent’s question', () => {
    expect(location(['Agent: Where on the M11?', 'Caller: Southbound, just after junction 8.'])).toBe('M11 southbound, just after junction 8');
  });
  it('joins an agent read-back that adds the street names', () => {
    expect(
      location(['Agent: Where was it?', 'Caller: Corner of Oak and Pine.', 'Agent: That is Oak Avenue and Pine Street in Dayton?', 'Caller: Yes.']),
    ).toContain('Oak Avenue and Pine Street');
  });
});

describe('findLocation, answers that open like a story', () => {
  it('keeps a car park and an interstate answer whole', () => {
    expect(location(['Agent: Where was this?', 'Caller: The car park behind the Arndale, level 2. We both reversed.'])).toBe(
      'Car park behind the Arndale, level 2',
    );
    expect(location(['Agent: Where?', 'Caller: I-80 westbound, near exit 12, by Lodi.'])).toBe('I-80 westbound, near exit 12, by Lodi');
  });
});
