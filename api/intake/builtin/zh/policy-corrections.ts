// Corrections callers make to a policy number after saying it: "最后一位是8", "倒数第二位是八", "第三位是五",
// "不是1，是8", "最后是零三，不是零五". A turn only corrects the policy when it names a digit position, follows
// the number in the same turn, or answers an agent turn about the policy; "更正一下，是K1486" about a
// kilometre post must not touch it.
import type { Turn } from '../turns.js';
import { numberRuns, type NumberRun } from './number-runs.js';
import { digitOf, SPOKEN_DIGIT_CLASS, smallNumberValue } from './numerals.js';
import { corrects } from './transcript-text.js';

const MIN_GROUP_END = 6;
const D = `[${SPOKEN_DIGIT_CLASS}]`;
// "倒数第二位是八", "第三位应该是5", "最后一位是8", "末位改成九".
const POSITION = new RegExp(
  `(倒数第([一二两三四五六七八九\\d])位|第([一二两三四五六七八九十\\d]{1,2})位|最后一位|末位|最后一个数字?)(?:数字)?(?:应该|其实)?(?:是|为|改成|改为|换成)(${D})`,
  'g',
);
const NAMES_POSITION = /最后|末尾|末位|倒数|第.{1,2}位|后两位|后一位|后三位/;
const POLICY_WORD = /保单|保险单|单号|保险号/;
// "一下", "一点", "一会": 一 in words, not a digit being read.
const WORD_AFTER_ONE = /^[下点会些样直起共边定般切]/;

const compact = (value: string) => value.replace(/-/g, '');

/** Replaces the symbol at 0-based `at` (counting letters and digits, not hyphens) with `digit`. */
function patchAt(value: string, at: number, digit: string): string {
  const chars = [...value];
  let seen = -1;
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '-') continue;
    if (++seen === at) chars[i] = digit;
  }
  return chars.join('');
}

function positional(value: string, text: string): string | undefined {
  const length = compact(value).length;
  let patched: string | undefined;
  for (const m of text.matchAll(POSITION)) {
    const digit = digitOf(m[4] ?? '');
    if (digit === undefined) continue;
    const fromEnd = m[2] !== undefined ? smallNumberValue(m[2]) : m[3] === undefined ? 1 : undefined;
    const fromStart = m[3] !== undefined ? smallNumberValue(m[3]) : undefined;
    const at = fromEnd !== undefined ? length - fromEnd : fromStart !== undefined ? fromStart - 1 : -1;
    if (at >= 0 && at < length) patched = patchAt(patched ?? value, at, digit);
  }
  return patched;
}

/** Short digit groups said as the new ending ("最后是零三", "是8"), not the digits being rejected ("不是1"). */
function tailGroups(text: string): NumberRun[] {
  return numberRuns(text, 0).filter((run) => {
    const after = text.slice(run.end, run.end + 1);
    const before = text.slice(Math.max(0, run.start - 2), run.start);
    const wordy = run.value === '1' && WORD_AFTER_ONE.test(after);
    return run.digits > 0 && run.digits < MIN_GROUP_END && run.letters === 0 && !/[位个次遍]/.test(after) && before !== '不是' && !wordy;
  });
}

/** Whether a caller turn answers an agent turn about the policy (its word, or the number read back). */
function aboutThePolicy(turns: readonly Turn[], turn: Turn, value: string): boolean {
  const asked = turns
    .slice(0, turn.index)
    .reverse()
    .find((t) => t.speaker !== turn.speaker);
  return asked !== undefined && (POLICY_WORD.test(asked.text) || asked.text.replace(/[\s-]/g, '').includes(compact(value)));
}

/** The number after the caller's later corrections, and the turns that made them. */
export function applyTailCorrections(value: string, turns: readonly Turn[], from: Turn, end: number): { value: string; spans: Turn[] } {
  const spans: Turn[] = [];
  for (const turn of turns.slice(from.index)) {
    // In the number's own turn only what follows it can correct it ("…零七。哦不对，最后是零九").
    const own = turn === from;
    const text = own ? turn.text.slice(end - turn.start) : turn.text;
    if (turn.speaker === 'agent' || !(corrects(text) || NAMES_POSITION.test(text))) continue;
    const byPosition = positional(value, text);
    // "排在第二位": away from the policy only a digit put at a position ("最后一位是8") corrects it.
    if (!own && !aboutThePolicy(turns, turn, value)) {
      if (byPosition === undefined) continue;
      value = byPosition;
      spans.push(turn);
      continue;
    }
    if (byPosition !== undefined) {
      value = byPosition;
      spans.push(turn);
      continue;
    }
    const best = tailGroups(text).reduce<NumberRun | undefined>((a, g) => (!a || g.value.length > a.value.length ? g : a), undefined);
    if (!best || best.value.length >= value.length) continue;
    value = value.slice(0, value.length - best.value.length) + best.value;
    spans.push(turn);
  }
  return { value, spans };
}
