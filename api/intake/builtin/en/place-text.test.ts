import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findLocation } from './location.js';
import { reportClause, reportPlace } from './place-text.js';

const location = (lines: string[]) => findLocation(parseTurns(lines.join('\n')))?.value;

describe('reportPlace', () => {
  it('writes spoken numbers after bay, level and ZIP as digits', () => {
    expect(reportClause('bay three hundred and four')).toBe('bay 304');
    expect(reportClause("Zip's nine-oh-two-one-oh")).toBe('90210');
    expect(reportClause('level twelve')).toBe('level 12');
  });
  it('drops chatter tacked on after the place', () => {
    expect(reportPlace('Corner of Elm St and Oak St, the zip is six oh six one four if that helps')).toBe('Corner of Elm St and Oak St, 60614');
  });
  it('writes "where X meets Y" as a junction', () => {
    expect(reportClause('where the Marsh Lane meets Quarry Road')).toBe('Junction of Marsh Lane and Quarry Road');
    expect(reportPlace('In Didsbury, right where Hope Street crosses Wilmslow Road')).toBe('In Didsbury, Junction of Hope Street and Wilmslow Road');
  });
});

describe('findLocation: file read-backs and codes in chatter', () => {
  it('takes the place of a file read-back the caller confirms without adding to it', () => {
    expect(
      location([
        'Agent: I have the report here. Friday the ninth of May, on Ridge Road near the 12 Brigade Barracks in Kumasi. Is that right?',
        'Caller: That is correct. I am calling to add the other driver.',
      ]),
    ).toBe('Ridge Road near the 12 Brigade Barracks in Kumasi');
  });
  it('adds a postcode said among chatter in the answer itself', () => {
    expect(
      location(['Agent: Where was it?', 'Caller: In Hove, where Church Road meets Sackville Road. There is a bakery on the corner, the postcode is BN3 2FL.']),
    ).toBe('Hove, Junction of Church Road and Sackville Road, BN3 2FL');
  });
});
