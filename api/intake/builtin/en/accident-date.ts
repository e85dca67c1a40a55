// The accident date. Every day mentioned in the call is resolved against the call day and weighed: the answer
// to "when did it happen", a sentence about the crash and an agent read-back the caller confirms count for it;
// a sentence about the doctor, the garage or what happens next counts against it. Later mentions break ties,
// so a caller's correction ("Tuesday... no, wait, it was Monday") wins.
import * as chrono from 'chrono-node';
import type { EvidenceSpan } from '../../extractor.js';
import type { Turn } from '../turns.js';
import { MONTHS, ORDINAL_DAY, WEEKDAYS, addDays, dayOfMonth, daysBetween, isIsoDate, lastDayOfMonth, lastWeekday } from './calendar.js';
import type { FoundValue } from './policy-number.js';
import { wordsToNumber } from './numbers.js';

interface Mention {
  readonly date: string;
  readonly start: number;
  readonly end: number;
  /** 3 a calendar date, 2 a day of the month, 1 a weekday or relative day. */
  readonly precision: number;
}

const WEEKDAY = WEEKDAYS.join('|');
const RELATIVE: [RegExp, (callDate: string, m: RegExpMatchArray) => string | undefined][] = [
  [/\b(?:the )?day before yesterday\b/gi, (d) => addDays(d, -2)],
  [/\b(?:yesterday|last night)\b/gi, (d) => addDays(d, -1)],
  [
    /\b(?:this (?:morning|afternoon|evening)|today|tonight|earlier on|just now|(?:an?|one|two|three|few|couple of) (?:half )?hours? ago|an hour and a half ago)\b/gi,
    (d) => d,
  ],
  [/\b(\w+|\d+) days? (?:ago|before|back)\b/gi, (d, m) => ((n) => (n && n < 60 ? addDays(d, -n) : undefined))(wordsToNumber(m[1]!))],
  [/\ba week ago\b/gi, (d) => addDays(d, -7)],
  [
    new RegExp(String.raw`\b(?:(?:last|this past|on) )?(${WEEKDAY})(?:\s+(?:just gone|gone))?\b`, 'gi'),
    (d, m) => lastWeekday(d, WEEKDAYS.indexOf(m[1]!.toLowerCase())),
  ],
];
// "the 14th", "Monday the 2nd", "Friday the thirteenth": a day of the month, not "the third floor".
const DAY_OF_MONTH = new RegExp(
  String.raw`\b(?:the|on|(?:${WEEKDAY}),?(?: the)?)\s+(${ORDINAL_DAY})\b(?!\s*(?:floor|level|storey|time|number|digit|one|exit|junction|lane|row|street|avenue|road|car|gear|house|of (?!${MONTHS.join('|')}|this month)))`,
  'gi',
);
const CALENDAR_HINT = new RegExp(String.raw`\b(${MONTHS.join('|')}|\d{1,2}/\d{1,2}|\d{4}-\d{2}-\d{2})`, 'i');

function mentionsIn(text: string, offset: number, callDate: string): Mention[] {
  const found: Mention[] = [];
  for (const [pattern, resolve] of RELATIVE)
    for (const m of text.matchAll(pattern)) {
      if (/\bnext\s*$/i.test(text.slice(0, m.index))) continue;
      const date = resolve(callDate, m);
      if (date) found.push({ date, start: offset + m.index, end: offset + m.index + m[0].length, precision: 1 });
    }
  for (const m of text.matchAll(DAY_OF_MONTH)) {
    const day = dayOfMonth(m[1]!);
    const date = day ? lastDayOfMonth(callDate, day) : undefined;
    if (date) found.push({ date, start: offset + m.index, end: offset + m.index + m[0].length, precision: 2 });
  }
  // chrono reads calendar dates ("October 12th", "15th August", "the 3rd of September") well; relative ones
  // are resolved above, by the rule that a bare weekday means the most recent one.
  if (CALENDAR_HINT.test(text)) {
    const ref = new Date(`${callDate}T12:00:00Z`);
    for (const r of chrono.parse(text, ref, { forwardDate: false })) {
      if (!r.start.isCertain('month') || !r.start.isCertain('day')) continue;
      const month = r.start.get('month')! - 1;
      const day = r.start.get('day')!;
      const date = r.start.isCertain('year')
        ? new Date(Date.UTC(r.start.get('year')!, month, day)).toISOString().slice(0, 10)
        : lastDayOfMonth(callDate, day, month);
      if (date) found.push({ date, start: offset + r.index, end: offset + r.index + r.text.length, precision: 3 });
    }
  }
  // "the day before yesterday" holds "yesterday": the longer reading is the one meant.
  const inside = (m: Mention) => found.some((o) => o !== m && o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start);
  return found.filter((m) => !inside(m) && daysBetween(m.date, callDate) >= 0 && daysBetween(m.date, callDate) <= 366);
}

const WHEN_ASKED = /\bwhen\b|what (day|date|time)|which day/i;
const CRASH =
  /\b(accident|crash|collision|bump|prang|pile-?up|hit|happened|rear-ended|clipped|slid|t-boned|went into|ran into|drove into|reversed|incident|this was|that's|so that|so this|was it)\b/i;
const ELSEWHERE =
  /\b(doctor|urgent care|hospital|a&e|clinic|dentist|garage|mechanic|body shop|appointment|college|school|office|rang|email|text|sms|claim number|adjuster|assessor|surveyor|engineer|tow|rental|courtesy|will|'ll|going to|tomorrow|supper|party|set it up|since|call you|contact you)\b/i;
// "Right after school", "on the way to work": a place named only to tell the time of the crash, not another event.
const TIME_BY_EVENT =
  /\b(?:right |just )?(?:after|before|on the way (?:to|from|back from|home from)|coming (?:back |home )?from|leaving) (?:the |my |his |her )?\w+/gi;
// "How can I help you today?": the agent's greeting, not a date.
const GREETING_TODAY = /\b(help|assist)( you)? today\b/i;
const CONFIRMS = /^\W*(yes|yeah|yep|correct|that's (it|right|the one|correct)|exactly|right)\b/i;

// "Please, it was the twenty-eighth.": the caller putting right a day the agent just read back.
const CORRECTION_CUE = /^\W*(?:no|nope|sorry|actually|please|wait|hang on|hold on|erm|um|not|it was|it's|it is)\b|\bnot the\b|\b(?:it|that) was the\b/i;

/** Whether `turn`, answering the agent's `said` dates, names a different day as a correction. */
function correctsDates(turn: Turn | undefined, said: readonly Mention[], own: readonly Mention[]): boolean {
  if (!turn || turn.speaker === 'agent' || said.length === 0 || own.length === 0) return false;
  return CORRECTION_CUE.test(turn.text) && own.some((m) => said.every((o) => o.date !== m.date));
}

const sentenceAround = (text: string, index: number) => {
  const start = Math.max(text.lastIndexOf('. ', index), text.lastIndexOf('? ', index), text.lastIndexOf('! ', index)) + 1;
  const ends = ['. ', '? ', '! '].map((s) => text.indexOf(s, index)).filter((i) => i >= 0);
  return text.slice(start, ends.length ? Math.min(...ends) + 1 : text.length);
};

export function findAccidentDate(turns: readonly Turn[], callDate: string): FoundValue<string> | undefined {
  if (!isIsoDate(callDate)) return undefined;
  let best: { date: string; weight: number; spans: EvidenceSpan[] } | undefined;
  const agreeing = new Map<string, EvidenceSpan[]>();
  for (const [i, turn] of turns.entries()) {
    const previous = turns[i - 1];
    const next = turns[i + 1];
    const answersWhen = previous?.speaker === 'agent' && turn.speaker !== 'agent' && WHEN_ASKED.test(previous.text);
    const confirmed = turn.speaker === 'agent' && next?.speaker !== 'agent' && next !== undefined && CONFIRMS.test(next.text);
    const mentions = mentionsIn(turn.text, turn.start, callDate);
    const previousMentions = previous?.speaker === 'agent' ? mentionsIn(previous.text, previous.start, callDate) : [];
    const correctsAgent = correctsDates(turn, previousMentions, mentions);
    const nextMentions = turn.speaker === 'agent' && next ? mentionsIn(next.text, next.start, callDate) : [];
    const correctedByCaller = turn.speaker === 'agent' && correctsDates(next, mentions, nextMentions);
    for (const m of mentions) {
      const sentence = sentenceAround(turn.text, m.start - turn.start);
      let weight = 1 + (answersWhen ? 2 : 0) + (CRASH.test(sentence) ? 1.5 : 0) + (confirmed ? 1.5 : 0) + (m.precision - 1) * 0.25;
      if (ELSEWHERE.test(sentence.replace(TIME_BY_EVENT, ' '))) weight -= 3;
      if (correctsAgent && previousMentions.every((o) => o.date !== m.date)) weight += 3;
      if (correctedByCaller && nextMentions.some((o) => o.date !== m.date)) weight -= 3;
      if (GREETING_TODAY.test(sentence)) continue;
      // A day said next to a more precise one ("yesterday, the sixteenth") is the same day, said twice.
      const near = mentions.find((o) => o !== m && Math.abs(o.start - m.start) < 20 && o.precision > m.precision);
      if (near && near.date !== m.date) continue;
      const spans = [...(agreeing.get(m.date) ?? []), { start: m.start, end: m.end }];
      agreeing.set(m.date, spans);
      if (!best || weight >= best.weight) best = { date: m.date, weight, spans };
    }
  }
  if (!best) return undefined;
  const spans = agreeing.get(best.date) ?? best.spans;
  return { value: best.date, evidence: spans, confidence: Math.min(0.95, 0.4 + 0.1 * best.weight + 0.05 * spans.length) };
}
