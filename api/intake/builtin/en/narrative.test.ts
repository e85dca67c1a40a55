import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { asOneSentence, buildSummary, findCallReason, findCause } from './narrative.js';

const turns = (lines: string[]) => parseTurns(lines.join('\n'));

describe('narrative fields', () => {
  it('recognises a hit-and-run', () => {
    expect(findCallReason(turns(['Caller: A lorry clipped my mirror and drove off without stopping.']))?.value).toBe('Report a hit-and-run');
  });
  it('recognises a caller adding to a claim logged before', () => {
    expect(findCallReason(turns(['Caller: Hi, I lodged a claim on Monday and now I have some more details to add.']), 1)?.value).toBe(
      'Add information to an existing report',
    );
  });
  it('recognises a single-vehicle accident', () => {
    expect(findCallReason(turns(['Caller: I lost control on the ice and hit a wall.']))?.value).toBe('Report a single-vehicle accident');
  });
  it('takes the caller’s sentence about the impact as the cause, in one sentence', () => {
    const cause = findCause(turns(['Agent: What happened?', 'Caller: Well. A taxi pulled out of a side road and hit my door. Dr. Ames saw it.']))?.value;
    expect(cause).toBe("A taxi pulled out of a side road and hit the caller's door.");
  });
  it('writes one sentence whatever the punctuation inside', () => {
    expect(asOneSentence('Level two. Near the lifts... by St. Mary’s?')).toBe('Level two, Near the lifts, by St Mary’s.');
  });
  it('names every driver in at most three sentences', () => {
    const summary = buildSummary({
      caller: 'Ada Moss',
      drivers: ['Ada Moss', 'Lev Gray'],
      location: 'Mill Lane. By the bridge',
      damages: ['rear bumper cracked'],
      cause: 'He reversed.',
    })!;
    expect(summary).toContain('Ada Moss');
    expect(summary).toContain('Lev Gray');
    expect(summary.split(/(?<=[.!?])\s+/).length).toBeLessThanOrEqual(3);
  });
});

describe('findCallReason, other signs', () => {
  it('reads a parked car, a lone car, and a named driver who is no hit-and-run', () => {
    expect(findCallReason(turns(['Caller: Someone dented my car when it was parked outside work.']))?.value).toBe('Report damage to a parked car');
    expect(findCallReason(turns(['Agent: No other vehicles involved?', 'Caller: Nope, just me.']))?.value).toBe('Report a single-vehicle accident');
    expect(findCallReason(turns(['Caller: The van behind hit me and another car drove off.']), 1)?.value).toBe('Report a car accident');
  });
  it('does not take an injury as the cause', () => {
    expect(findCause(turns(['Caller: I hurt my neck on the headrest. A taxi ran into the back of me at the lights.']))?.value).toBe(
      'A taxi ran into the back of the caller at the lights.',
    );
  });
  it('takes a nudge or a red-light run as the cause', () => {
    expect(
      findCause(turns(['Agent: What happened?', 'Caller: I was crawling in the queue and a minibus nudged my car while squeezing into the lane.']))?.value,
    ).toMatch(/nudged/);
    expect(findCause(turns(['Agent: What happened?', 'Caller: Di bus come through di red light an’ lick me inna di side.']))?.value).toMatch(/red light/);
  });
});
