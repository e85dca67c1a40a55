// The day of the accident. Callers say 昨天, 前天, 上周五, 3号, 8月2号; other days come up too (the day they went
// to hospital, the day the police report arrived), and callers correct themselves ("不是昨天，是前天"). Every
// mention votes for the day it resolves to, weighted by what its clause is about and whether it was confirmed.
import type { Turn } from '../turns.js';
import { addDays, formatDay, lastDayOfMonth, lastMonthDay, lastWeekday, parseDay, weekdayOfWeek, calendarDay } from './calendar.js';
import { SMALL_NUMBER_CLASS, smallNumberValue } from './numerals.js';
import { clausesOf, confirms, corrects, replyTo, type FieldResult } from './transcript-text.js';

interface Mention {
  readonly day: Date;
  readonly start: number;
  readonly end: number;
  readonly weight: number;
}

const N = `[${SMALL_NUMBER_CLASS}]`;
const WEEKDAY = '[一二三四五六日天七]';
const MENTION = new RegExp(
  [
    `(?:(\\d{4})年)?(${N}{1,2})月(${N}{1,3})(?:日|号)?`,
    `(${N}{1,3})(?:日|号)(?![车门楼线院位房口店库厅站馆桥栋])`,
    '(大前天|前天|前儿|昨天|昨儿|昨日|今天|今儿|今日)',
    `(上上|上|这|本)?(?:个)?(?:周|星期|礼拜)(${WEEKDAY})`,
    `(${N}{1,2})天(?:之)?前`,
  ].join('|'),
  'g',
);
const RELATIVE_DAYS: Readonly<Record<string, number>> = { 大前天: -3, 前天: -2, 前儿: -2, 昨天: -1, 昨儿: -1, 昨日: -1, 今天: 0, 今儿: 0, 今日: 0 };
const WEEKDAY_NUMBER: Readonly<Record<string, number>> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 七: 7 };
const ACCIDENT_WORD = /事故|撞|追尾|蹭|剐|刮|碰|出事|出了|发生|报案|被人/;
const OTHER_EVENT_WORD = /医院|拍片|拍了个?片|复查|诊所|加了?.{0,3}班|上班|拿到|认定书|修车|定损|4S|下楼|发现|联系/;
const ADDRESS_BEFORE = /[路街道巷弄栋幢楼区层第0-9]$/;

function resolve(match: RegExpMatchArray, callDay: Date): Date | undefined {
  const [, year, month, monthDay, dayOnly, relative, weekPrefix, weekday, daysAgo] = match;
  if (month && monthDay) {
    const m = smallNumberValue(month);
    const d = smallNumberValue(monthDay);
    if (m === undefined || d === undefined) return undefined;
    return year ? calendarDay(Number(year), m, d) : lastMonthDay(callDay, m, d);
  }
  if (dayOnly) {
    const d = smallNumberValue(dayOnly);
    return d === undefined ? undefined : lastDayOfMonth(callDay, d);
  }
  if (relative) return addDays(callDay, RELATIVE_DAYS[relative] ?? 0);
  if (weekday) {
    const w = WEEKDAY_NUMBER[weekday] ?? 1;
    if (weekPrefix === '上') return weekdayOfWeek(callDay, w, 1);
    if (weekPrefix === '上上') return weekdayOfWeek(callDay, w, 2);
    if (weekPrefix === '这' || weekPrefix === '本') return weekdayOfWeek(callDay, w, 0);
    return lastWeekday(callDay, w);
  }
  const n = daysAgo ? smallNumberValue(daysAgo) : undefined;
  return n === undefined ? undefined : addDays(callDay, -n);
}

function weightOf(turn: Turn, clause: string, turns: readonly Turn[], mentionAt: number): number {
  let weight = turn.speaker === 'agent' ? 0.5 : 1.5;
  if (ACCIDENT_WORD.test(clause)) weight += 1.5;
  if (OTHER_EVENT_WORD.test(clause)) weight -= 2.5;
  const before = turn.text.slice(Math.max(0, mentionAt - 3), mentionAt);
  if (/不是|并非/.test(before)) return -6;
  // What the caller says after "不对"/"应该是" in the same turn is the correction.
  if (turn.speaker !== 'agent' && corrects(turn.text.slice(0, mentionAt))) weight += 2;
  if (turn.speaker === 'agent') {
    const reply = replyTo(turns, turn.index);
    if (reply && confirms(reply.text)) weight += 3;
  }
  return weight;
}

function mentionsOf(turns: readonly Turn[], callDay: Date): Mention[] {
  const mentions: Mention[] = [];
  for (const turn of turns) {
    for (const clause of clausesOf({ text: turn.text, start: turn.start })) {
      for (const match of clause.text.matchAll(MENTION)) {
        const at = match.index ?? 0;
        if (match[4] && ADDRESS_BEFORE.test(clause.text.slice(0, at))) continue;
        const day = resolve(match, callDay);
        if (!day || day.getTime() > callDay.getTime()) continue;
        const start = clause.start + at;
        mentions.push({ day, start, end: start + match[0].length, weight: weightOf(turn, clause.text, turns, start - turn.start) });
      }
    }
  }
  return mentions;
}

export function extractAccidentDate(turns: readonly Turn[], callDate: string): FieldResult<string> | undefined {
  const callDay = parseDay(callDate);
  if (!callDay) return undefined;
  const votes = new Map<string, { total: number; last: number; mentions: Mention[] }>();
  for (const mention of mentionsOf(turns, callDay)) {
    const key = formatDay(mention.day);
    const vote = votes.get(key) ?? { total: 0, last: 0, mentions: [] };
    vote.total += mention.weight;
    vote.last = mention.start;
    vote.mentions.push(mention);
    votes.set(key, vote);
  }
  const ranked = [...votes.entries()].sort(([, a], [, b]) => b.total - a.total || b.last - a.last);
  const [best, runnerUp] = ranked;
  if (!best || best[1].total <= 0) return undefined;
  const margin = best[1].total - (runnerUp?.[1].total ?? 0);
  const confidence = Math.min(0.95, 0.5 + margin / 10);
  return { value: best[0], confidence, evidence: best[1].mentions.map(({ start, end }) => ({ start, end })) };
}
