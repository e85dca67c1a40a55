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

describe('findLocation, chatter around the place', () => {
  it('drops travel chatter and idioms and writes junction numbers as digits', () => {
    expect(
      location([
        'Agent: Where were you?',
        'Caller: On the A90 heading north, coming back from the coast. Just after junction twelve. It was slow the whole way.',
      ]),
    ).toBe('A90 northbound, Just after junction 12');
  });
  it('takes the read-back once the answer is cleaned', () => {
    expect(
      location([
        'Agent: And where?',
        'Caller: The Garden State Parkway, going south, toward the shore. Just past exit twenty-one.',
        'Agent: Garden State Parkway southbound, just past exit 21. What happened?',
      ]),
    ).toBe('Garden State Parkway southbound, just past exit 21');
  });
  it('takes the place the caller confirms from the file, not an agent statement with "where"', () => {
    expect(
      location([
        'Agent: I see the accident last Monday on the M62 westbound.',
        "Caller: That's the one. Just before the Rochdale exit.",
        'Agent: M62 westbound just before the Rochdale exit. What would you like to add?',
        'Caller: The car is at a garage in Oldham now.',
        "Agent: Okay, I'll tell the engineer where it is.",
        'Caller: Also he came from the inside lane, not the outside lane.',
      ]),
    ).toBe('M62 westbound just before the Rochdale exit');
  });
  it('keeps the town and postcode said after the street, and what the caller adds to the file', () => {
    expect(location(['Agent: Where was the car parked?', 'Caller: Outside my house, 4 Larkspur Road, in Thornbury. Wrexham. LL12 7QD.'])).toBe(
      'Outside 4 Larkspur Road, Thornbury, Wrexham, LL12 7QD',
    );
    expect(
      location([
        'Agent: The accident was on Monday, in the Lidl car park on Mill Lane in Ashford, is that right?',
        'Caller: Yes. In the car park, by the recycling bins. The postcode I gave was TN24 8QQ.',
      ]),
    ).toBe('Lidl car park on Mill Lane in Ashford, by the recycling bins, TN24 8QQ');
    expect(location(['Agent: Which car park?', 'Caller: Harbourside Plaza, the underground car park. Basement 3, near lift lobby F.'])).toBe(
      'Harbourside Plaza, the underground car park, Basement 3, near lift lobby F',
    );
  });
});
