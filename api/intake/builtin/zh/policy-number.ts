// The caller's own policy number. Callers read it in groups, in Chinese digits (幺 = 1), letters one by one;
// the agent reads it back and the caller confirms or corrects it. Staff numbers, claim numbers, plates, phone
// numbers, the other driver's policy and the 交强险 policy when the agent wants the 商业险 one are not it.
import type { Turn } from '../turns.js';
import { numberRuns, type NumberRun } from './number-runs.js';
import { applyTailCorrections } from './policy-corrections.js';
import { confirms, replyTo, type FieldResult } from './transcript-text.js';

interface Candidate extends NumberRun {
  readonly turn: Turn;
  readonly aboutPolicy: boolean;
  /** Someone else's number, or not a policy number at all. */
  readonly excluded: boolean;
  readonly confirmed: boolean;
}

const POLICY_WORD = /保单|保险单|单号|保险号/;
const DISTRACTOR_WORD = /工号|报案号|案件号|案号|编号|理赔号|车牌|牌照|手机|电话|联系方式|身份证|驾驶证|驾照|车架号|发动机号|订单|尾号/;
const OTHER_PARTY = /对方|他的|她的|他保|她保|他家|她家|人家|那边的/;
const MIN_DIGITS = 6;

const compact = (value: string) => value.replace(/-/g, '');

// "工号3021" or "车牌…" right before a number names something else; "保单编号" after it does not.
function namesDistractor(before: string): boolean {
  const distractorAt = lastIndexOf(before, DISTRACTOR_WORD);
  return distractorAt >= 0 && distractorAt > lastIndexOf(before, POLICY_WORD);
}

function lastIndexOf(text: string, pattern: RegExp): number {
  let at = -1;
  for (const match of text.matchAll(new RegExp(pattern.source, 'g'))) at = match.index ?? at;
  return at;
}

function candidatesOf(turns: readonly Turn[], commercialWanted: boolean): Candidate[] {
  const found: Candidate[] = [];
  for (const turn of turns) {
    for (const run of mergeLetterPrefixes(numberRuns(turn.text, turn.start))) {
      if (run.digits < MIN_DIGITS) continue;
      const before = turn.text.slice(Math.max(0, run.start - turn.start - 16), run.start - turn.start);
      const sentenceBefore =
        turn.text
          .slice(0, run.start - turn.start)
          .split(/[。！？]/)
          .pop() ?? '';
      const recent = turns.slice(Math.max(0, turn.index - 3), turn.index).map((t) => t.text);
      const aboutPolicy = POLICY_WORD.test(sentenceBefore) || recent.some((t) => POLICY_WORD.test(t));
      const lastAsk = recent.at(-1) ?? '';
      const otherParty = OTHER_PARTY.test(sentenceBefore) || (OTHER_PARTY.test(lastAsk) && POLICY_WORD.test(lastAsk));
      const compulsoryOnly = commercialWanted && /交强/.test(sentenceBefore) && !/商业/.test(sentenceBefore);
      const phoneLike = /^1\d{10}$/.test(run.value) && !POLICY_WORD.test(sentenceBefore);
      const excluded = namesDistractor(before) || otherParty || compulsoryOnly || phoneLike;
      const reply = turn.speaker === 'agent' ? replyTo(turns, turn.index) : undefined;
      const confirmed = reply !== undefined && reply.speaker !== 'agent' && confirms(reply.text);
      found.push({ ...run, turn, aboutPolicy, excluded, confirmed });
    }
  }
  // A read-back is the caller's number said again: it shares what the caller's version was (someone else's or not).
  return found.map((c) => {
    const said = found.find((o) => o !== c && o.start < c.start && compact(o.value) === compact(c.value));
    return said ? { ...c, excluded: c.excluded || said.excluded, aboutPolicy: c.aboutPolicy || said.aboutPolicy } : c;
  });
}

// "开头是两个字母，H、B，就是…，然后是一三零六…": letters said before an explanation still lead the number.
function mergeLetterPrefixes(runs: NumberRun[]): NumberRun[] {
  const merged: NumberRun[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    const next = runs[i + 1];
    if (!run) continue;
    if (next && run.digits === 0 && run.letters <= 4 && next.letters === 0 && next.digits >= MIN_DIGITS && next.start - run.end <= 24) {
      merged.push({ value: run.value + next.value, digits: next.digits, letters: run.letters, start: run.start, end: next.end });
      i++;
    } else merged.push(run);
  }
  return merged;
}

export function extractPolicyNumber(turns: readonly Turn[]): FieldResult<string> | undefined {
  const commercialWanted = turns.some((t) => /商业险|商业保险/.test(t.text));
  const usable = candidatesOf(turns, commercialWanted).filter((c) => !c.excluded);
  const confirmed = usable.filter((c) => c.confirmed && (c.aboutPolicy || c.digits >= 8));
  const lastConfirmed = confirmed.at(-1);
  if (lastConfirmed) {
    const evidence = usable.filter((c) => compact(c.value) === compact(lastConfirmed.value)).map((c) => ({ start: c.start, end: c.end }));
    // "对。哦不对，最后一位是8": a correction after the confirmation still patches the number.
    const later = applyTailCorrections(lastConfirmed.value, turns, lastConfirmed.turn, lastConfirmed.end);
    return { value: later.value, confidence: later.spans.length ? 0.8 : 0.95, evidence };
  }
  const stated = usable.filter((c) => c.aboutPolicy).at(-1) ?? usable.filter((c) => c.digits >= 8).at(-1);
  if (!stated) return undefined;
  const corrected = applyTailCorrections(stated.value, turns, stated.turn, stated.end);
  const evidence = [{ start: stated.start, end: stated.end }, ...corrected.spans.map((t) => ({ start: t.start, end: t.start + t.text.length }))];
  return { value: corrected.value, confidence: stated.aboutPolicy ? 0.75 : 0.4, evidence };
}
