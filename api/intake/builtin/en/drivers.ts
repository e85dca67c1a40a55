// Who was driving. The caller, by the name given when asked (unless they phone for someone else), and every
// other person named in a driver's slot ("her name's ...", "the van driver was ...", the answer to "did you
// get the other driver's name?"). Witnesses, passengers, police, relatives and the agent are named too, so a
// name needs driver evidence that outweighs what its sentence says about it.
import type { EvidenceSpan } from '../../extractor.js';
import type { Turn } from '../turns.js';
import { type NameMention, agentNames, nameMentions, namesByNlp } from './person-names.js';
import type { FoundValue } from './policy-number.js';

const DRIVER_BEFORE = [
  /\b(his|her|their|driver'?s|other (guy|man|lady|woman|chap|bloke|party)'?s?) name(?:'s| is| was)?[\s,]*(?:is|was)?[\s,]*$/i,
  /\bgave me (his|her|their) name,?\s*$/i,
  /\bdriver (?:is|was|'s)\s*$/i,
  /\bthe (guy|man|lady|woman|chap|bloke|fella|fellow|gentleman|girl|lad|kid|person|young man|young woman)\b[^.,;]{0,30}?\b(is|was)\s*$/i,
  /\bdriver,\s*$/i,
  /\b(was )?called\s*$/i,
];
const DRIVER_AFTER = [
  /^,? (her|his|their) name (was|is)\b/i,
  /^['’]s (van|car|truck|pickup|taxi|lorry|bus|motorbike|bike|vehicle|auto|suv)\b/i,
  /^ (who was driving|was driving|driving|drove|reversed|pulled|hit|changed lanes|merged|slid|ran|turned|went into|bumped|sideswiped|swerved|came (out|across|through|sliding|round)|rear-ended|backed)\b/i,
  /^ (as the (other )?driver|behind you|in front|in the car in front|in the (van|truck|taxi|car))\b/i,
];
// Words in a name's sentence that give the person a role other than driving: riders, witnesses, officials and
// the staff of a car park, shop or venue who come over after the crash.
const NOT_DRIVER =
  /\b(witness|saw (it|everything|the whole|what)|passenger|in the back|back seat|with me|sitting|security|guard|attendant|steward|warden|marshal|staff|manager|receptionist|concierge|officer|police|constable|trooper|paramedic|nurse|doctor|policyholder|on behalf|certificate|(my|our|his|her) (wife|husband|son|daughter|mum|mom|mother|dad|father|brother|sister|mate|friend|partner|grandson|granddaughter|boss|neighbou?r|kid|boy|girl)|mother-in-law|father-in-law)\b/i;
const NOT_DRIVER_AFTER =
  /^(['’]s name|\W*(\.\.\.|…)?\s*(sorry,?\s*)?no\b| as a witness| (was|is) (a|the) (witness|passenger)| (was|is) in the (passenger|back))/i;
const ASKS_CALLER_NAME =
  /\b(your (good |full |complete |first and last |whole )?name|who('s| is) calling|who (am i|do i have)|name to start|take your name|speaking with\?|talking to\?)/i;
// "Did anyone see it?": the answer names a witness, however it is phrased.
const ASKS_WITNESS = /\b(any ?(one|body)(?: else)? (see|saw)|witness(es)?|see what happened)\b/i;
// "My son is Tyler ...": once the caller says someone else drove, the relative they name is that driver.
const RELATIVE_BEFORE =
  /\b(?:my|our|mi) (son|daughter|wife|husband|partner|boy|girl|kid|mum|mom|dad|father|mother|brother|sister)(?:,| is| was|'s)?(?: called| named)?\s*$/i;
const ASKS_OTHER_NAME = /\b(names?|details|information|info)\b/i;
const ABOUT_OTHER = /\b(other|driver|drivers|his|her|their|them|they|(?:guy|man|lady|woman|chap|bloke|fella|gentleman|person)['’]s)\b/i;
// "And the other driver?": a bare question about the other driver asks who it was.
const ASKS_OTHER_DRIVER = /\b(?:the )?other (?:driver|party)\s*\?\s*$/i;
// "And your son's name? He was the one driving?": when the caller was not driving, the answer names the driver.
const ASKS_RELATIVE =
  /\byour (?:son|daughter|wife|husband|partner|boy|girl|kid|mum|mom|dad|father|mother|brother|sister)['’]s name\b|\bwho was (?:driving|behind the wheel)\b/i;
const SELF_INTRO = /\b(this is|my name is|my name's|i'm|i am|myself|it's)\s*$/i;
const CALLER_NOT_DRIVING =
  /\b(on behalf of|i wasn't driving|i was not driving|i wasn't in the car|(it )?wasn't me (driving|behind the wheel)|it was not me driving|(my|our) (son|daughter|wife|husband|partner|boy|girl|kid|mum|mom|dad|father|mother|brother|sister)[.,]? (?:(?:he|she) )?(had|has had|was driving|was in an accident)|calling (?:about|for|fi|on behalf of) (?:my|our|mi) (?:son|daughter|wife|husband|partner|boy|girl|kid|mum|mom|dad|father|mother|brother|sister)|i wasn't (?:even )?there)\b/i;
const DECLINES = /\b(never (got|asked|learned)|didn't get|did not get|don't know|no idea|i don't)\b/i;

const sentenceOf = (turn: Turn, start: number) => {
  const at = start - turn.start;
  const from = Math.max(...['. ', '? ', '! '].map((s) => turn.text.lastIndexOf(s, at - 1))) + 1;
  const ends = ['. ', '? ', '! '].map((s) => turn.text.indexOf(s, at)).filter((i) => i >= 0);
  return turn.text.slice(from, ends.length ? Math.min(...ends) : undefined);
};

interface Person {
  name: string;
  driver: number;
  notDriver: number;
  first: number;
  spans: EvidenceSpan[];
}

export function findDrivers(turns: readonly Turn[]): FoundValue<string[]> & { caller?: string } {
  const agents = agentNames(turns);
  const people = new Map<string, Person>();
  let caller: NameMention | undefined;
  const note = (m: NameMention, driver: number, notDriver: number) => {
    const key = m.name.toLowerCase();
    const p = people.get(key) ?? { name: m.name, driver: 0, notDriver: 0, first: m.start, spans: [] };
    p.driver += driver;
    p.notDriver += notDriver;
    p.spans.push({ start: m.start, end: m.end });
    people.set(key, p);
  };
  const callerNotDriving = turns.some((t) => t.speaker === 'caller' && CALLER_NOT_DRIVING.test(t.text));
  for (const [i, turn] of turns.entries()) {
    const previous = turns[i - 1];
    const askedWitness = previous?.speaker === 'agent' && turn.speaker !== 'agent' && ASKS_WITNESS.test(previous.text);
    const mentions = nameMentions(turn).filter((m) => !(agents.has(m.name.toLowerCase()) && !m.name.includes(' ')));
    if (!mentions.length) mentions.push(...namesByNlp(turn));
    const askedCaller = previous?.speaker === 'agent' && turn.speaker !== 'agent' && ASKS_CALLER_NAME.test(previous.text);
    const askedOther =
      previous?.speaker === 'agent' &&
      turn.speaker !== 'agent' &&
      ((ASKS_OTHER_NAME.test(previous.text) && ABOUT_OTHER.test(previous.text)) || ASKS_OTHER_DRIVER.test(previous.text));
    const askedRelative = callerNotDriving && previous?.speaker === 'agent' && turn.speaker === 'caller' && ASKS_RELATIVE.test(previous.text);
    // "Hector... Hector Villanueva": the answer's first full name, after any false start on its first name.
    const answer = mentions.find((m) => m.name.includes(' '));
    const leadsToAnswer = (m: NameMention) =>
      m === answer || (answer !== undefined && m.start < answer.start && !m.name.includes(' ') && answer.name.split(' ').includes(m.name));
    for (const [k, m] of mentions.entries()) {
      const before = turn.text.slice(Math.max(0, m.start - turn.start - 70), m.start - turn.start);
      const after = turn.text.slice(m.end - turn.start, m.end - turn.start + 50);
      const sentence = sentenceOf(turn, m.start);
      const retracted = NOT_DRIVER_AFTER.test(after);
      const relativeDrove =
        callerNotDriving && turn.speaker === 'caller' && (RELATIVE_BEFORE.test(before) || (askedRelative && !askedCaller && leadsToAnswer(m)));
      const notDriverBase = relativeDrove ? 0 : (NOT_DRIVER.test(sentence) ? 1 : 0) + (retracted ? 3 : 0) + (askedWitness ? 3 : 0);
      let driver = relativeDrove || DRIVER_BEFORE.some((r) => r.test(before)) || DRIVER_AFTER.some((r) => r.test(after)) ? 2 : 0;
      const notDriver = notDriverBase + (driver && !relativeDrove && NOT_DRIVER.test(before.slice(-40)) && !/driv/i.test(before) ? 2 : 0);
      // "None po... Ramil Dela Cruz": asked for their name, the caller's answer is its full name when it has one.
      const answersAsked = askedCaller && (answer === undefined || leadsToAnswer(m));
      const isCallerSlot =
        turn.speaker === 'caller' &&
        !caller &&
        !driver &&
        (answersAsked || SELF_INTRO.test(before) || /^ here\b/.test(after) || (i < 3 && m.name.includes(' ')));
      if (isCallerSlot && !retracted && !notDriver) {
        caller = m;
        continue;
      }
      if (m === answer && mentions.slice(0, k).every(leadsToAnswer) && askedOther && !DECLINES.test(turn.text.slice(0, m.start - turn.start)) && !notDriver)
        driver += 2;
      if (turn.speaker !== 'caller' && !driver && !notDriver) continue;
      note(m, driver, notDriver);
    }
  }
  // "Maureen" later in the call is Maureen Raman; "Mr Dobson" is the caller.
  const full = [...people.values()].filter((p) => p.name.includes(' '));
  const callerWords = caller?.name.toLowerCase().split(' ') ?? [];
  for (const [key, p] of people) {
    if (p.name.includes(' ')) continue;
    const owner = full.find((f) => f.name.split(' ').some((w) => w === p.name));
    if (owner) {
      owner.driver += p.driver;
      owner.notDriver += p.notDriver;
      owner.spans.push(...p.spans);
    }
    if (owner || callerWords.includes(key)) people.delete(key);
  }
  const callerKey = caller?.name.toLowerCase();
  const others = [...people.values()]
    .filter((p) => p.name.toLowerCase() !== callerKey && p.driver > 0 && p.driver > p.notDriver)
    .sort((a, b) => a.first - b.first);
  const drivers = [...(caller && !callerNotDriving ? [caller.name] : []), ...others.map((p) => p.name)];
  const spans = [...(caller && !callerNotDriving ? [{ start: caller.start, end: caller.end }] : []), ...others.flatMap((p) => p.spans)];
  return {
    value: drivers,
    evidence: spans,
    confidence: drivers.length ? Math.min(0.9, 0.5 + 0.1 * others.length + (caller ? 0.2 : 0)) : 0.2,
    ...(caller ? { caller: caller.name } : {}),
  };
}
