import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findAccidentDate } from './accident-date.js';

// 2025-03-05 is a Wednesday.
const date = (lines: string[]) => findAccidentDate(parseTurns(lines.join('\n')), '2025-03-05')?.value;

describe('findAccidentDate: the caller corrects the agent', () => {
  it('lets the day the caller puts right win over the agent’s read-back', () => {
    expect(
      date([
        'Agent: I have the file. Saturday the first of March, on the bypass. Is that right?',
        'Caller: That is correct, the first.',
        'Agent: So the accident on the second of March, I have added the witness.',
        'Caller: Please, it was the first. Saturday the first.',
      ]),
    ).toBe('2025-03-01');
  });
});
