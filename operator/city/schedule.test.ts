import { describe, expect, it } from 'vitest';
import { isOpen, scheduledMinReplicas, untilNextWindowEdge } from './schedule.js';
import { testCity } from '../../test/support/test-city.js';

const window = (start: string, end: string, days: string[] = [], minReplicas = 5) => ({ name: 'w', start, end, days, minReplicas });

describe('isOpen', () => {
  it('opens at the start minute and closes at the end minute', () => {
    expect(isOpen(window('08:00', '10:00'), { day: 'mon', minutes: 8 * 60 })).toBe(true);
    expect(isOpen(window('08:00', '10:00'), { day: 'mon', minutes: 10 * 60 })).toBe(false);
  });

  it('runs a window past midnight into the next day, counted from the day it started', () => {
    const night = window('22:00', '02:00', ['fri']);
    expect(isOpen(night, { day: 'fri', minutes: 23 * 60 })).toBe(true);
    expect(isOpen(night, { day: 'sat', minutes: 60 })).toBe(true);
    expect(isOpen(night, { day: 'sat', minutes: 23 * 60 })).toBe(false);
  });
});

describe('scheduledMinReplicas', () => {
  const city = testCity('tokyo', { timezone: 'Asia/Tokyo' });
  const withWindows = (...schedules: ReturnType<typeof window>[]) => ({ ...city.spec, scaling: { ...city.spec.scaling, schedules } });

  it('reads the clock in the City timezone', () => {
    // 00:30 UTC is 09:30 in Tokyo.
    const spec = withWindows(window('09:00', '10:00'));
    expect(scheduledMinReplicas(spec, new Date('2026-11-18T00:30:00Z'))).toEqual({ minReplicas: 5, openWindows: ['w'] });
    expect(scheduledMinReplicas(spec, new Date('2026-11-18T09:30:00Z'))).toEqual({ minReplicas: 2, openWindows: [] });
  });

  it('takes the highest open window, but never more than the maximum', () => {
    const spec = withWindows({ ...window('00:00', '23:59', [], 4), name: 'a' }, { ...window('00:00', '23:59', [], 30), name: 'b' });
    expect(scheduledMinReplicas(spec, new Date('2026-11-18T00:30:00Z')).minReplicas).toBe(10);
  });
});

describe('untilNextWindowEdge', () => {
  it('is the time to the next start or end, and undefined without windows', () => {
    const city = testCity('london', { timezone: 'UTC' });
    expect(untilNextWindowEdge(city.spec, new Date('2026-11-18T12:00:00Z'))).toBeUndefined();
    const spec = { ...city.spec, scaling: { ...city.spec.scaling, schedules: [window('12:30', '13:00')] } };
    expect(untilNextWindowEdge(spec, new Date('2026-11-18T12:00:15Z'))).toBe(30 * 60_000 - 15_000);
  });
});
