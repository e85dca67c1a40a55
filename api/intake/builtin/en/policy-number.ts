// The caller's own policy number: read off spoken runs in the turns that answer a request for it, with the
// last confirmed reading winning (callers correct swapped digits, or give a home policy first). Numbers said
// about someone else (the other driver's policy, claim references, plates, phone numbers) are never taken.
import type { EvidenceSpan } from '../../extractor.js';
import type { Turn } from '../turns.js';
import { spokenRuns } from './numbers.js';
import { applyLaterCorrections } from './policy-corrections.js';

export interface FoundValue<T> {
  readonly value: T;
  readonly evidence: EvidenceSpan[];
  readonly confidence: number;
}

interface Candidate {
  readonly value: string;
  readonly span: EvidenceSpan;
  readonly turn: Turn;
  rejected: boolean;
  confirmed: boolean;
}

const POLICY = /\bpolic(y|ies)\b/i;
// Said just before a number, these make it someone else's number or not a policy at all.
const NOT_OURS =
  /\b(his|her|hers|their|theirs|other (driver|party|car|vehicle)'?s?|insurer|insured with|certificate|claim (ref|reference|number)|reference|ref|quote|quotation|incident|event|report number|crime|case|reg|registration|plate|phone|mobile|telephone|contact number|call you on|(she|he|they)(?:'s| is| are) (?:with|insured|covered))\b/i;
const OTHER_ASK = /\b(his|her|their|other (driver|party)'?s?) (policy|insur)/i;
/** The question the agent ended on: "I'll note her insurer. And your own policy number?" asks for ours. */
function asksOther(text: string): boolean {
  const last = lastSentence(text);
  return OTHER_ASK.test(last) && !/\byour\b/i.test(last);
}
// A question for a number that is not a policy: what answers it (and any later reading of the same value) is
// a phone number or a claim reference, even when the agent asked it in the turn that read the policy back.
const ASKS_FOREIGN =
  /\b(contact (number|details)|(phone|mobile|telephone|cell|landline)( number)?|number (to|we can|i can) (reach|call|contact)|claim (ref|reference|number)|reference( number)?|ref( number)?)\b/i;
const lastSentence = (text: string) =>
  text
    .split(/(?<=[.?!])\s+/)
    .filter((s) => s.trim() !== '')
    .at(-1) ?? '';
const asksForeign = (text: string) => ASKS_FOREIGN.test(lastSentence(text)) && !POLICY.test(lastSentence(text));
const NEGATION = /^\W*(no|nope|not quite|not exactly|that's wrong|wrong|incorrect)\b/i;
const CONFIRMATION = /^\W*(yes|yeah|yep|yup|correct|that's (it|right|correct|the one)|exactly|spot on|right|perfect|lovely|great|got it)\b/i;

/** A policy number has digits in it and is longer than a house number or a junction. */
const looksLikePolicy = (value: string) => value.replace(/-/g, '').length >= 5 && (value.match(/\d/g)?.length ?? 0) >= 3;

/** Text from the start of the sentence before `index` up to it: where "his policy is" would be said. */
function leadIn(text: string, index: number): string {
  const before = text.slice(0, index);
  const stops = [...before.matchAll(/[.?!]\s/g)].map((m) => m.index + 1);
  return before.slice(stops.at(-1) ?? 0);
}

function runsInTurn(turn: Turn): { value: string; span: EvidenceSpan }[] {
  return spokenRuns(turn.text, turn.start)
    .filter((r) => looksLikePolicy(r.value) && !NOT_OURS.test(leadIn(turn.text, r.start - turn.start)))
    .map((r) => ({ value: r.value, span: { start: r.start, end: r.end } }));
}

export function findPolicyNumber(turns: readonly Turn[]): FoundValue<string> | undefined {
  const candidates: Candidate[] = [];
  const foreign = new Set<string>();
  const bare = (v: string) => v.replace(/-/g, '');
  for (const [i, turn] of turns.entries()) {
    const previous = turns[i - 1];
    if (previous !== undefined && previous.speaker !== turn.speaker && asksForeign(previous.text)) {
      for (const r of runsInTurn(turn)) foreign.add(bare(r.value));
      continue;
    }
    const asked = previous !== undefined && previous.speaker !== turn.speaker && POLICY.test(previous.text) && !asksOther(previous.text);
    const readBack = previous !== undefined && previous.speaker !== turn.speaker && candidates.at(-1)?.turn === previous;
    // "Did she give you her insurer?": the answer's numbers are hers, whatever words it uses.
    const askedOther = previous !== undefined && previous.speaker !== turn.speaker && asksOther(previous.text);
    if (askedOther || !(POLICY.test(turn.text) || asked || readBack)) continue;
    const runs = runsInTurn(turn).filter((r) => !foreign.has(bare(r.value)));
    // A read-back repeats the number first and may go on to other details (a postcode, a date): the run
    // that repeats the number is the read-back, whatever follows it.
    const repeated = readBack ? runs.find((r) => bare(r.value) === bare(candidates.at(-1)!.value)) : undefined;
    const last = repeated ?? runs.at(-1);
    if (!last) continue;
    const next = turns[i + 1];
    const rejected = next !== undefined && next.speaker !== turn.speaker && NEGATION.test(next.text);
    const confirmed = next !== undefined && next.speaker !== turn.speaker && CONFIRMATION.test(next.text);
    candidates.push({ value: last.value, span: last.span, turn, rejected, confirmed });
  }
  const kept = candidates.filter((c) => !c.rejected && !foreign.has(bare(c.value)));
  const chosen = kept.at(-1);
  if (!chosen) return undefined;
  const same = kept.filter((c) => bare(c.value) === bare(chosen.value));
  // Keep the dashes the caller said, or the ones printed in an agent's read-back.
  const withDashes = same.find((c) => c.turn.speaker === 'caller' && c.value.includes('-')) ?? same.find((c) => c.value.includes('-'));
  const agreed = same.some((c) => c.confirmed) || new Set(same.map((c) => c.turn.speaker)).size > 1;
  const corrected = applyLaterCorrections((withDashes ?? chosen).value, turns, chosen.turn, chosen.span.end);
  return {
    value: corrected,
    evidence: same.map((c) => c.span),
    confidence: agreed ? 0.95 : chosen.turn.speaker === 'caller' ? 0.75 : 0.6,
  };
}
