// Day arithmetic on `YYYY-MM-DD` strings, in UTC so no time zone moves a day.

const DAY_MS = 86_400_000;

export const parseDay = (day: string): Date | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

export const formatDay = (date: Date): string => date.toISOString().slice(0, 10);

export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * DAY_MS);

/** Monday = 1 … Sunday = 7, as Chinese weekday names count (周一 … 周日). */
export const isoWeekday = (date: Date): number => ((date.getUTCDay() + 6) % 7) + 1;

/** The given weekday in the Monday-to-Sunday week `weeksBack` weeks before the call's week. */
export function weekdayOfWeek(callDay: Date, weekday: number, weeksBack: number): Date {
  const monday = addDays(callDay, 1 - isoWeekday(callDay) - 7 * weeksBack);
  return addDays(monday, weekday - 1);
}

/** The most recent given weekday strictly before the call day ("周五" said on any day but Friday's next). */
export function lastWeekday(callDay: Date, weekday: number): Date {
  const back = (isoWeekday(callDay) - weekday + 7) % 7 || 7;
  return addDays(callDay, -back);
}

/** A real calendar day, or undefined for 2月30日 and the like. */
export function calendarDay(year: number, month: number, day: number): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 ? date : undefined;
}

/** The most recent day-of-month `day` on or before the call day (this month's, else last month's). */
export function lastDayOfMonth(callDay: Date, day: number): Date | undefined {
  for (let back = 0; back < 3; back++) {
    const monthIndex = callDay.getUTCMonth() - back;
    const date = calendarDay(callDay.getUTCFullYear() + Math.floor(monthIndex / 12), (((monthIndex % 12) + 12) % 12) + 1, day);
    if (date && date.getTime() <= callDay.getTime()) return date;
  }
  return undefined;
}

/** `month`/`day` in the call's year, or the year before when that would be after the call. */
export function lastMonthDay(callDay: Date, month: number, day: number): Date | undefined {
  const thisYear = calendarDay(callDay.getUTCFullYear(), month, day);
  if (thisYear && thisYear.getTime() <= callDay.getTime()) return thisYear;
  return calendarDay(callDay.getUTCFullYear() - 1, month, day);
}
