// The prose fields. The call reason is the closed-list phrase whose signs the caller's words carry; the cause
// is the caller's own sentence about the moment of impact; the summary is built from the fields already
// found, so it names every driver and stays within three sentences.
import type { Turn } from '../turns.js';
import type { FoundValue } from './policy-number.js';

const REASONS: [string, RegExp][] = [
  [
    'Add information to an existing report',
    /\b(more information|add (it )?to (it|my|the|an existing)|existing (claim|report)|already reported|i reported an accident|update (my|the) claim|calling back about|i (logged|lodged|filed|opened|made|raised|put in) (a|the|my) (claim|report)|(more|some|new|extra|further) (info|information|details) to add|add (some )?(more|new|extra|further) (info|information|details))\b/i,
  ],
  [
    'Report a hit-and-run',
    /\b(hit[- ]and[- ]run|drove off|driven off|drove away|driven away|sped off|took off|fled|left the scene|floored it|didn't stop to)\b/i,
  ],
  [
    'Report damage to a parked car',
    /\b((while|when) (it was|i was|it's) parked|my (parked|stationary) car|car was parked|left (it|the car) parked|(nobody|no one) left a note|(came|come|got) back to (find|my car|the car)|(not|never|didn't) (left|leave) a note|found (it|my car) (damaged|dented|scratched))\b/i,
  ],
  [
    'Report a single-vehicle accident',
    /\b(hit an? (deer|fox|dog|kangaroo|cow|sheep|horse|moose|animal|wall|tree|post|pole|lamp ?post|bollard|kerb|curb|fence|barrier|ditch)|lost control|(slid|skidded|spun|veered|went|ran|came) off the road|into the (guard ?rail|crash barrier|central reservation|ditch)|nobody else (was )?involved)\b/i,
  ],
];
// "Nudged my car", "come through di red light an' lick him": light contact and red-light running, in
// any dialect, are impacts too.
const IMPACT =
  /\b(hit|hitting|nudged|nudging|knocked into|lick(?:ed)? (?:him|her|me|us|my|di|the)|(?:came|come|went|ran|drove|go|gone) through (?:the|di|a) red|ran (?:the|a) red|ran into|rear-ended|reversed|backed|pulled out|went into|gone into|drove into|driven into|clipped|came across|came out|sideswiped|slid|sliding|swerved|bumped|t-boned|merged|turned left|turned right|plowed|ploughed|shoved|jumped the red|banged|cut the corner|(scraped|tapped|touched) (my|me|the|our|along|past|bumpers)|(damaged|dented|scratched) (my|the) car|(went|drove|ran|crashed|came|come|comes|gone|driven|slid|slammed|smashed)(?: \w+)? (into|out of|out at|across))\b/i;

// "No other vehicles involved?" "Nope, just me.": the agent asks, the caller's short answer settles it.
const ASKS_ALONE = /\b(no other (vehicles?|cars?|drivers?)|anyone else involved|any other (vehicles?|cars?))\b/i;
const ALONE = /^\W*(no|nope|none|nah|just me|only me)\b/i;
const aloneSaid = (turns: readonly Turn[]) =>
  turns.find((t, i) => t.speaker !== 'agent' && turns[i - 1]?.speaker === 'agent' && ASKS_ALONE.test(turns[i - 1]!.text) && ALONE.test(t.text));

/** `namedOthers`: drivers other than the caller whose names are known; a driver who is known did not vanish. */
export function findCallReason(turns: readonly Turn[], namedOthers = 0): FoundValue<string> | undefined {
  if (!turns.length) return undefined;
  const callerText = turns.filter((t) => t.speaker !== 'agent');
  const alone = namedOthers === 0 ? aloneSaid(turns) : undefined;
  if (alone) return { value: 'Report a single-vehicle accident', evidence: [{ start: alone.start, end: alone.start + alone.text.length }], confidence: 0.6 };
  for (const [reason, signs] of REASONS) {
    if (namedOthers > 0 && !reason.includes('existing')) continue;
    const turn = callerText.find((t) => signs.test(t.text)) ?? turns.find((t) => t.speaker === 'agent' && signs.test(t.text) && reason.includes('hit-and-run'));
    if (turn) return { value: reason, evidence: [{ start: turn.start, end: turn.start + turn.text.length }], confidence: 0.7 };
  }
  return { value: 'Report a car accident', evidence: [], confidence: 0.5 };
}

/** One sentence, whatever its source: inner stops become commas so the field stays a single sentence. */
export function asOneSentence(text: string): string {
  const flat = text
    .replace(/\b(Mr|Mrs|Ms|Dr|St)\./g, '$1')
    .replace(/(\.\.\.|…)/g, ',')
    .replace(/[.?!]+(?=\s+\S)/g, ',')
    .replace(/[\s,;:.?!]+$/, '')
    .trim();
  return flat ? `${flat.charAt(0).toUpperCase()}${flat.slice(1)}.` : '';
}

// First person becomes "the caller", so the cause reads as a report rather than a quote.
const thirdPerson = (s: string) =>
  s
    .replace(/\b(?:I was|I'm|I am)\b/g, 'the caller was')
    .replace(/\b(?:I've|I'd|I had)\b/g, 'the caller had')
    .replace(/\bI\b/g, 'the caller')
    .replace(/\bmy\b/gi, "the caller's")
    .replace(/\bme\b/gi, 'the caller');

const WHAT_HAPPENED = /\bwhat happened\b|tell me (what|about)|how did it happen/i;
// "He bumped his head on the side window": how someone was hurt, not how the cars met.
const INJURY = /\b(head(?![- ]on)|neck|chest|wrist|arm|leg|knee|whiplash|bruise|bruised|hurt|injured|urgent care|hospital|a&e|doctor)\b/i;
// "The back door is all scraped up": the state of a part, not the moment of impact.
const DAMAGE_STATE = /\b(is|are|was|were|got|has|have)( all| been| got)? (scraped|scratched|dented|smashed|cracked|broken|bent|crushed|pushed)\b/i;
const ABOUT_THE_CALL = /\b(call|calling|called|ring|ringing|rang|report|claim|sorry|funny)\b/i;

/** The caller's sentence about the impact, best when it answers "what happened?". */
export function findCause(turns: readonly Turn[]): FoundValue<string> | undefined {
  let best: { sentence: string; start: number; score: number } | undefined;
  for (const [i, turn] of turns.entries()) {
    if (turn.speaker === 'agent') continue;
    const asked = turns[i - 1]?.speaker === 'agent' && WHAT_HAPPENED.test(turns[i - 1]!.text);
    for (const m of turn.text.matchAll(/[^.?!]+[.?!]*/g)) {
      const sentence = m[0].trim();
      if (!IMPACT.test(sentence) || sentence.split(' ').length < 5) continue;
      const score =
        (asked ? 2 : 0) -
        (ABOUT_THE_CALL.test(sentence) ? 2 : 0) -
        (INJURY.test(sentence) || DAMAGE_STATE.test(sentence) ? 2 : 0) +
        (/\b(into|the back|my side|the side|front)\b/i.test(sentence) ? 1 : 0);
      if (!best || score > best.score) best = { sentence, start: turn.start + m.index + m[0].indexOf(sentence), score };
    }
  }
  if (!best) return undefined;
  const cause = asOneSentence(thirdPerson(best.sentence.replace(/^\W*(yes|yeah|so|well|oh|and|um|uh|actually)\b[,]?\s*/i, '')));
  return { value: cause, evidence: [{ start: best.start, end: best.start + best.sentence.length }], confidence: best.score > 1 ? 0.5 : 0.3 };
}

const clause = (s: string) => asOneSentence(s).replace(/\.$/, '');

export function buildSummary(parts: {
  reason?: string;
  caller?: string;
  drivers?: string[];
  date?: string;
  location?: string;
  damages?: string[];
  cause?: string;
}): string | undefined {
  const { caller, drivers = [], date, location, damages = [], cause } = parts;
  if (!caller && !drivers.length && !location && !cause) return undefined;
  const who = caller ?? drivers[0] ?? 'The caller';
  const reason = (parts.reason ?? 'Report a car accident').replace(/^Report/, 'reports').replace(/^Add/, 'adds');
  const first = [`${who} ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`, date ? ` on ${date}` : '', location ? ` at ${clause(location)}` : ''].join('');
  const others = drivers.filter((d) => d !== who);
  const involving = others.length ? `, involving ${others.join(' and ')}` : '';
  const driving = caller && drivers.length && !drivers.includes(caller) ? `; the driver was ${drivers[0]}` : '';
  const sentences = [asOneSentence(first + involving + driving)];
  if (cause) sentences.push(asOneSentence(cause.replace(/\.$/, '')));
  if (damages.length) sentences.push(asOneSentence(`Damage: ${damages.join(', ')}`));
  return sentences.join(' ');
}
