import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findLocation } from './location.js';
import { asksWhereCarIs, isAfterwards, streetSpan } from './street-names.js';

const location = (lines: string[]) => findLocation(parseTurns(lines.join('\n')))?.value;

describe('streetSpan and friends', () => {
  it('finds a named crossing inside a story sentence, with its town', () => {
    expect(streetSpan('I was waiting at the corner of Elmwood Avenue and 3rd Street in Fairview, Ohio.')).toBe(
      'the corner of Elmwood Avenue and 3rd Street in Fairview, Ohio',
    );
    expect(streetSpan('He just came at me out of nowhere.')).toBeUndefined();
  });
  it('tells where the car is now from where it happened', () => {
    expect(asksWhereCarIs("Where's the car now?")).toBe(true);
    expect(asksWhereCarIs('Where did it happen?')).toBe(false);
    expect(isAfterwards('The job number on the invoice is 40021.')).toBe(true);
  });
});

describe('findLocation, vague then precise and afterwards', () => {
  it('prefers the precise street said later in the same answer over a vague start', () => {
    expect(
      location([
        'Agent: Where was this?',
        'Caller: Out in Millbrook, somewhere over by the old mill? No wait. I was turning at Harlow Street and 9th Avenue South, heading north.',
      ]),
    ).toBe('Harlow Street and 9th Avenue South, northbound, Millbrook');
  });
  it('ignores where the car is kept now', () => {
    expect(
      location([
        'Agent: Where did it happen?',
        'Caller: On Quarry Lane, just past the primary school.',
        "Agent: Thanks. Where's the car now?",
        'Caller: At the tow yard in Brockton. The job number on their invoice is 7781.',
      ]),
    ).toBe('Quarry Lane, just past the primary school');
  });
  it('keeps the street said before a postcode in the same sentence', () => {
    expect(location(['Agent: Where did it happen?', 'Caller: Mill Road in Ashby, outside the bakery, postcode is AB1 2CD.'])).toBe(
      'Mill Road in Ashby, outside the bakery, AB1 2CD',
    );
  });
  it('takes the place the agent reads off the earlier report when the caller confirms it', () => {
    expect(
      location([
        'Agent: I have the report up. You were driving on the third of May, at the junction of Fenwick Road and Carr Lane in Holbeck, Dunmore, and a van reversed into you. Is that the one?',
        "Caller: That's the one.",
        'Agent: What would you like to add?',
        'Caller: The van driver rang me.',
      ]),
    ).toBe('Junction of Fenwick Road and Carr Lane in Holbeck, Dunmore');
  });
});
