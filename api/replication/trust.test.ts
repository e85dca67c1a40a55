import { describe, expect, it } from 'vitest';
import { replicatedReport } from '../../test/support/replicated-report.js';
import type { ReplicatedReport } from './schema.js';
import { MAX_VERSION_STEP, parseState, refusalOf } from './trust.js';

const now = Date.parse('2026-12-01T10:00:00Z');
const state = (overrides: Partial<ReplicatedReport> = {}): ReplicatedReport => replicatedReport('london', overrides);
const atHq = (sender: string, currentVersion?: number) => ({ receiver: 'hq', sender, currentVersion: () => currentVersion, now });

describe('a replicated state from a city', () => {
  it('is taken at HQ when the sending city made that version of its own report', () => {
    expect(refusalOf(state(), atHq('london'))).toBeUndefined();
  });

  it('is refused at HQ when it claims another site made the version (not-its-origin)', () => {
    expect(refusalOf(state({ originSite: 'manchester' }), atHq('london', 3))).toBe('not-its-origin');
  });

  it('is refused at HQ when it brings a report HQ has never seen that another site recorded (not-its-report)', () => {
    expect(refusalOf(state({ site: 'manchester' }), atHq('london'))).toBe('not-its-report');
    // Changing another site's report it holds is what a city may do.
    expect(refusalOf(state({ site: 'manchester', version: 4 }), atHq('london', 3))).toBeUndefined();
  });

  it('is refused when its version jumps further past this site`s than a bounded step (version-jump)', () => {
    expect(refusalOf(state({ version: 3 + MAX_VERSION_STEP + 1 }), atHq('london', 3))).toBe('version-jump');
    expect(refusalOf(state({ version: 2147483647 }), atHq('london', 3))).toBe('version-jump');
  });

  it('is refused when a time of it is ahead of this clock by more than the signing window (from-the-future)', () => {
    expect(refusalOf(state({ updatedAt: '9999-12-31T23:59:59.999999Z' }), atHq('london'))).toBe('from-the-future');
    expect(refusalOf(state({ updatedAt: '2026-12-01T10:04:59.000000Z' }), atHq('london'))).toBeUndefined();
  });

  it('passed on by HQ is taken at a city whatever site made it', () => {
    expect(
      refusalOf(state({ originSite: 'manchester', site: 'manchester' }), { receiver: 'london', sender: 'hq', currentVersion: () => undefined, now }),
    ).toBeUndefined();
  });
});

describe('the content of a replicated state', () => {
  it('passes the same rules as the API`s input, naming the fields that fail', () => {
    expect('state' in parseState(state())).toBe(true);
    const refused = parseState(state({ fields: { ...state().fields, drivers: [], policyNumber: 'x'.repeat(500) } }));
    expect(refused).toEqual({ refusal: { id: state().id, reason: 'invalid', detail: 'fields.drivers, fields.policyNumber' } });
  });

  it('may not carry a version beyond the limit, a control character, or an account that cannot exist', () => {
    for (const bad of [
      { version: 2_000_000_000 },
      { callReason: 'a\u0000b' },
      { updatedBy: 'Robert"); drop table' },
      { deletedAt: '2026-12-01T09:30:00.000000Z' },
    ]) {
      expect('refusal' in parseState(state(bad)), JSON.stringify(bad)).toBe(true);
    }
  });
});
