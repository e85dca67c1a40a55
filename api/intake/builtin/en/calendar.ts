// Day arithmetic on `YYYY-MM-DD` strings in UTC, so the machine's time zone can never move a date, and the
// spoken forms of days ("Friday", "the 14th", "the sixteenth") turned into the most recent matching day.

const DAY_MS = 86_400_000;

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

const ORDINAL_UNITS = ['', 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
const ORDINAL_TEENS = ['tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth'];

/** "sixteenth" → 16, "twenty-first" → 21, "14th" → 14; undefined when it is not a day of a month. */
export function dayOfMonth(word: string): number | undefined {
  const w = word.toLowerCase().replace(/\s+/g, '-');
  const digits = /^(\d{1,2})(st|nd|rd|th)?$/.exec(w);
  let day: number | undefined;
  if (digits) day = Number(digits[1]);
  else if (ORDINAL_UNITS.includes(w)) day = ORDINAL_UNITS.indexOf(w);
  else if (ORDINAL_TEENS.includes(w)) day = 10 + ORDINAL_TEENS.indexOf(w);
  else if (w === 'twentieth') day = 20;
  else if (w === 'thirtieth') day = 30;
  else {
    const compound = /^(twenty|thirty)-(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)$/.exec(w);
    if (compound) day = (compound[1] === 'twenty' ? 20 : 30) + ORDINAL_UNITS.indexOf(compound[2]!);
  }
  return day !== undefined && day >= 1 && day <= 31 ? day : undefined;
}

export const ORDINAL_DAY = String.raw`\d{1,2}(?:st|nd|rd|th)|(?:twenty|thirty)[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth`;

const toTime = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const fromTime = (t: number) => new Date(t).toISOString().slice(0, 10);

export const isIsoDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toTime(s));

export const addDays = (iso: string, days: number) => fromTime(toTime(iso) + days * DAY_MS);

/** The most recent `weekday` strictly before the call day ("Friday" said on a Tuesday is four days back). */
export function lastWeekday(callDate: string, weekday: number): string {
  const today = new Date(toTime(callDate)).getUTCDay();
  const back = (today - weekday + 7) % 7 || 7;
  return addDays(callDate, -back);
}

/** The most recent `day` of a month on or before the call day ("the 28th" said on 1 March is 28 February). */
export function lastDayOfMonth(callDate: string, day: number, month?: number): string | undefined {
  const call = new Date(toTime(callDate));
  for (let back = 0; back < 24; back++) {
    const y = call.getUTCFullYear();
    const m = month ?? call.getUTCMonth() - back;
    const year = month === undefined ? y : y - back;
    const date = new Date(Date.UTC(year, m, day));
    if (date.getUTCDate() !== day) continue;
    if (date.getTime() <= call.getTime()) return fromTime(date.getTime());
  }
  return undefined;
}

export const weekdayOf = (iso: string) => new Date(toTime(iso)).getUTCDay();

export const daysBetween = (from: string, to: string) => Math.round((toTime(to) - toTime(from)) / DAY_MS);
