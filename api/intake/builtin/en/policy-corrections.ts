// Corrections a caller makes to a policy number after it was read: a partial one ("the last digit is eight,
// not one", "sorry, the second-last one is an eight", "eight five at the end") patches the digits it names; a
// full re-reading that differs from the number in only a few places ("it's six two two nine, one four eight
// five") replaces it even when the caller no longer says the word "policy".
import type { Turn } from '../turns.js';
import { spokenRuns } from './numbers.js';

const ORDINAL: Record<string, number> = { first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8 };
const COUNT: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };
// "the second-last one is an eight", "last digit should be 8", "the third number's a five".
const POSITIONAL =
  /\b(?:the\s+)?(?:(last|final|penultimate)|(first|second|third|fourth|fifth|sixth|seventh|eighth)(?:[- ](?:to[- ])?last)?)\s+(digit|number|one|letter|character)\s*(?:is|should be|'s|’s|was meant to be|needs to be)\s+(?:an?\s+)?([A-Za-z0-9-]+(?:\s+[A-Za-z0-9-]+)?)/gi;
// "the last two are eight five", "last two digits should be 85".
const TAIL_COUNT =
  /\b(?:the\s+)?last\s+(two|three|four|five|\d)(?:\s+digits|\s+numbers)?\s*(?:are|is|should be|'re)\s+([A-Za-z0-9 ,-]+?)(?=[.;!?]|,?\s+not\b|$)/gi;
// "eight five at the end", "ends in eight five".
const AT_END = /(?:\b([A-Za-z0-9 -]+?)\s+at the end\b|\bends? (?:in|with)\s+([A-Za-z0-9 -]+?)(?=[.,;!?]|\s+not\b|$))/gi;
const CORRECTION_CUE = /\b(sorry|actually|no|not|wrong|mistake|misread|i mean|meant|hold on|wait|correction|rather)\b/i;
const FOREIGN = /\b(his|her|their|other (driver|party|car|vehicle)'?s?|claim|reference|ref|plate|reg|registration|phone|mobile|report number)\b/i;

const bare = (v: string) => v.replace(/-/g, '');

/** The symbols said in a short phrase ("an eight" → 8, "eight five" → 85), or '' when it is no number. */
function symbolsOf(phrase: string): string {
  return spokenRuns(phrase.replace(/^(?:an?|the)\s+/i, ''))
    .map((r) => bare(r.value))
    .join('');
}

/** Puts `symbols` into `value` at the 0-based position `at` of its symbols, keeping said dashes. */
function patch(value: string, at: number, symbols: string): string {
  const chars = [...value];
  let seen = -1;
  let written = 0;
  for (let i = 0; i < chars.length && written < symbols.length; i++) {
    if (chars[i] === '-') continue;
    seen++;
    if (seen >= at) chars[i] = symbols[written++]!;
  }
  return chars.join('');
}

function differences(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** The number after one caller turn's corrections; `text` is what the caller said after the number. */
export function correctPolicy(value: string, text: string): string {
  const length = bare(value).length;
  // A full re-reading close to the number (a swapped or misread digit or two) replaces it outright.
  for (const run of spokenRuns(text)) {
    const said = bare(run.value);
    const close = differences(said, bare(value)) <= (length >= 6 ? 2 : 1);
    if (said.length === length && said !== bare(value) && close) value = run.value;
  }
  if (!CORRECTION_CUE.test(text) && !/\b(last|first|second|third|digit|at the end|ends)\b/i.test(text)) return value;
  for (const m of text.matchAll(POSITIONAL)) {
    const symbols = symbolsOf(m[4] ?? '').slice(0, 1);
    if (!symbols) continue;
    const fromEnd = m[1] !== undefined || /last/i.test(m[0].slice(0, m[0].toLowerCase().indexOf(m[3]!.toLowerCase())));
    const n = m[1] ? (m[1].toLowerCase() === 'penultimate' ? 2 : 1) : ORDINAL[m[2]!.toLowerCase()]!;
    const at = fromEnd ? length - n : n - 1;
    if (at >= 0 && at < length) value = patch(value, at, symbols);
  }
  for (const m of text.matchAll(TAIL_COUNT)) {
    const n = COUNT[m[1]!.toLowerCase()] ?? Number(m[1]);
    const symbols = symbolsOf(m[2] ?? '');
    if (symbols.length === n && n < length) value = patch(value, length - n, symbols);
  }
  // "at the end" is said of roads and queues too: only a turn that is correcting something patches the tail.
  for (const m of CORRECTION_CUE.test(text) ? text.matchAll(AT_END) : []) {
    const phrase = (m[1] ?? m[2] ?? '').split(/[.,;!?]/).pop() ?? '';
    const symbols = symbolsOf(phrase.trim().split(/\s+/).slice(-4).join(' '));
    if (symbols.length > 0 && symbols.length < length) value = patch(value, length - symbols.length, symbols);
  }
  return value;
}

/** Applies the corrections callers make in turns after `from` (and in the rest of that turn after `end`). */
export function applyLaterCorrections(value: string, turns: readonly Turn[], from: Turn, end: number): string {
  let current = value;
  for (const turn of turns.slice(from.index)) {
    if (turn.speaker === 'agent') continue;
    const text = turn === from ? turn.text.slice(end - turn.start) : turn.text;
    // A number said about someone else, or a different kind of number, corrects nothing of ours.
    if (FOREIGN.test(text) && !/\b(my|mine|our)\b/i.test(text)) continue;
    current = correctPolicy(current, text);
  }
  return current;
}
