import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findAccidentDate } from './accident-date.js';

// 2025-03-05 is a Wednesday.
const date = (lines: string[], callDate = '2025-03-05') => findAccidentDate(parseTurns(lines.join('\n')), callDate)?.value;

describe('findAccidentDate', () => {
  it('resolves yesterday and last night', () => {
    expect(date(['Agent: When did it happen?', 'Caller: Last night, around ten.'])).toBe('2025-03-04');
  });
  it('takes a bare weekday as the most recent one before the call', () => {
    expect(date(['Agent: When was the accident?', 'Caller: Thursday afternoon.'])).toBe('2025-02-27');
  });
  it('puts a day of the month that is still to come in the previous month', () => {
    expect(date(['Caller: The crash was on the 28th.'])).toBe('2025-02-28');
  });
  it('reads days ago in words', () => {
    expect(date(['Agent: When did it happen?', 'Caller: Four days ago.'])).toBe('2025-03-01');
  });
  it('lets the corrected day win', () => {
    expect(date(['Agent: Which day was it?', 'Caller: Monday. No, sorry, it was Sunday, the day before my shift.'])).toBe('2025-03-02');
  });
  it('ignores the day of a doctor’s visit or a future appointment', () => {
    expect(
      date(['Caller: The accident was this morning.', 'Caller: I saw the doctor on Monday about my back.', 'Agent: The engineer will come on Friday.']),
    ).toBe('2025-03-05');
  });
  it('reads a calendar date with a month name', () => {
    expect(date(['Agent: When did it happen?', 'Caller: On 20th February.'])).toBe('2025-02-20');
  });
});

describe('findAccidentDate, time told by another event', () => {
  it('keeps the day when the caller tells the hour by school or work, and ignores the greeting', () => {
    expect(date(['Agent: How can I help you today?', 'Caller: I had an accident.', 'Agent: When?', 'Caller: Yesterday, just after work.'])).toBe('2025-03-04');
  });
});
