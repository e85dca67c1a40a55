// Scheduled scaling windows. An HPA has none, so without KEDA the operator raises its minReplicas
// while a window is open and requeues the City for the next window edge; with KEDA each window is
// a cron trigger of the ScaledObject instead (autoscaling.ts), and none of this runs for the City.
import type { CitySpec, ScheduleWindow } from './types.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface LocalTime {
  readonly day: string;
  readonly minutes: number;
}

function localTime(now: Date, timezone: string): LocalTime {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    now,
  );
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return { day: part('weekday').slice(0, 3).toLowerCase(), minutes: Number(part('hour')) * 60 + Number(part('minute')) };
}

const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Whether `window` is open at `time`. A window past midnight belongs to the day it starts on. */
export function isOpen(window: ScheduleWindow, time: LocalTime): boolean {
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const onDay = (day: string) => window.days.length === 0 || window.days.includes(day);
  if (start < end) return onDay(time.day) && time.minutes >= start && time.minutes < end;
  const yesterday = DAYS[(DAYS.indexOf(time.day) + 6) % 7] ?? time.day;
  return (onDay(time.day) && time.minutes >= start) || (onDay(yesterday) && time.minutes < end);
}

/** The HPA's floor at `now`: the spec's minimum, raised by every open window. */
export function scheduledMinReplicas(spec: Pick<CitySpec, 'api' | 'scaling' | 'timezone'>, now: Date): { minReplicas: number; openWindows: string[] } {
  const time = localTime(now, spec.timezone);
  const open = spec.scaling.schedules.filter((window) => isOpen(window, time));
  const minReplicas = Math.min(spec.api.replicas.max, Math.max(spec.api.replicas.min, ...open.map((window) => window.minReplicas)));
  return { minReplicas, openWindows: open.map((window) => window.name) };
}

/** Milliseconds until the next minute on which some window opens or closes (undefined: no windows). */
export function untilNextWindowEdge(spec: Pick<CitySpec, 'scaling' | 'timezone'>, now: Date): number | undefined {
  if (spec.scaling.schedules.length === 0) return undefined;
  const edges = new Set(spec.scaling.schedules.flatMap((window) => [toMinutes(window.start), toMinutes(window.end)]));
  const { minutes } = localTime(now, spec.timezone);
  for (let ahead = 1; ahead <= 24 * 60; ahead++) {
    if (edges.has((minutes + ahead) % (24 * 60))) {
      return ahead * 60_000 - (now.getUTCSeconds() * 1000 + now.getUTCMilliseconds());
    }
  }
  return undefined;
}
