// Where it happened: the caller's answer to the agent's "where?", the last precise one winning over an early
// vague one ("somewhere outside Swindon"), joined with the agent's read-back when that adds words, then with
// the road or town said elsewhere in the call when the answer leaves it out ("Where on the 280?" "Southbound,
// near exit 8").
import type { Turn } from '../turns.js';
import { wordsToNumber } from './numbers.js';
import { reportPlace } from './place-text.js';
import type { FoundValue } from './policy-number.js';
import { asksWhereCarIs, isAfterwards, streetSpan } from './street-names.js';

const WHERE_ASKED = /\bwhere(abouts)?\b|which (road|street|junction|motorway|highway|car park)|what road|exact (place|location)|more specific|location/i;
const ROAD_CODE = /\b(?:[MABN]\d{1,4}(?:\(M\))?|I-?\d{1,3}|US-?\d{1,3}|SR-?\d{1,3}|NH-?\d{1,3})\b|\b(?:route|highway|interstate|state route) \d{1,4}\b/i;
const PLACE_WORDS =
  /\b(road|rd|street|st|avenue|ave|lane|boulevard|blvd|drive|way|highway|motorway|freeway|expressway|route|interstate|junction|roundabout|corner|intersection|crossing|crosses|meets|car ?park|parking|garage|multi-storey|level|floor|deck|exit|slip road|off-ramp|on-ramp|ramp|interchange|flyover|overpass|underpass|bridge|tunnel|mile marker|marker|traffic lights|lights|signal|chowk|circle|postcode|post code|zip|pin code|entrance|northbound|southbound|eastbound|westbound|clockwise|anticlockwise|counterclockwise|mall|supermarket|station|services|high street|outside the|opposite|near the|by the|turn-off|lot|basement|lift lobby|lift|elevator|lobby|stairwell|bay)\b/i;
const POSTCODE = /\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b|\b\d{5,6}\b/;
const VAGUE = /\b(somewhere|not sure|don't know|on the way|near .* side|outside of|just outside|around|over by|near-?ish|i think)\b/i;
const NARRATIVE =
  /^(i|i'm|he|she|we|they|you|a|an|one|(the|this) (car(?! ?park)|van|truck|other|guy|man|lady|woman|driver|traffic|chap|bloke)|traffic|there|someone|it's all)\b(?!-?\d)/i;
const STRONG =
  /\b(northbound|southbound|eastbound|westbound|clockwise|anticlockwise|slip road|off-ramp|on-ramp|(heading|going|travelling|traveling|direction) (north|south|east|west))\b/i;
// "The accident was on Thursday the 12th", read off the file: the date, not the place.
const TIME_OR_FILLER =
  /^\s*((?:the )?(?:accident|collision|incident|crash)(?: was| happened)? on (?:\w+day|the \d|\d)(?!.*\b(?:road|street|avenue|lane|car park)\b)|this (morning|afternoon|evening)|yesterday|last night|today|(about|around|at) [\w:.]+(\s*(o'clock|am|pm|ish))?\s*$|(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day )?the [\w-]+(?:st|nd|rd|th)(?: of \w+)?\s*$|i looked it up|if you need|you know|let me think|i think|it's all|is that (still )?(right|correct))/i;
// "the location on the report is ...": the agent's words that introduce a place, not part of it.
// "The postcode I gave was OX2 0JY": likewise, only the code is the place.
const INTRO = /^.*?\b(?:location|address|place|postcode|post code|zip(?: code)?)\b(?: on (?:the|your) (?:report|claim|file)| I gave(?: you)?)? (?:is|was) /i;
const LEAD =
  /^\s*(?:yes|yeah|yep|sorry|well|so|oh|um|uh|right|okay|actually|let me think|perfect|great|lovely|thanks|thank you|got it|that's|it was|it's|it is|this was|we were|i was)\b[,.]?\s*/i;

// "It was nose to tail the whole way": idioms with a place word in them that say nothing about the place.
const IDIOM = /\b(?:the whole way|all the way|by the way|no way|either way|any ?way|on (?:my|our|his|her|their|the) way(?: (?:home|back|there))?)\b/gi;
// "coming out the town", "toward the city": travel chatter that names no place; dropped unless the clause
// also has a code, a name or a place word ("towards Electronic City" stays).
const DRIFT = /^\s*(?:coming|going|heading|driving|travelling|traveling|toward|towards|into|out of|back from)\b/i;
// "junction fifteen", "exit thirty-three": reports write these numbers as digits.
const NUMBERED =
  /\b(junction|jct|exit|level|floor|deck|marker|gate|bay|route|highway|interstate) ((?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)\b/gi;
// The agent asks "where?"; "I'll let the assessor know where it is." is a statement, not the question.
const asksWhere = (text: string) =>
  !asksWhereCarIs(text) &&
  sentencesOf(text).some((s) => WHERE_ASKED.test(s) && (!/[.!]\s*$/.test(s) || /^\W*(?:and |so |okay,? )?(?:tell me|please|describe|give me)\b/i.test(s)));
// "That's the one. Just before the ring road exit.": the caller accepts the place the agent read off the file
// and adds to it.
const CONFIRMS = /^\W*(?:yes|yeah|yep|ja|correct|exactly|that(?:'s| is) (?:the one|right|it|correct))\b/i;

const INTERJECTION = /^\W*(?:(?:yes|yeah|yep|sorry|well|so|oh|um|uh|right|okay|actually)\b[,.]?\s*)+/i;

const sentencesOf = (text: string) => text.split(/(?<=[.?!])\s+/).filter((s) => s.trim());

function isPlace(raw: string): boolean {
  const sentence = raw.replace(IDIOM, '');
  const proper = sentence.slice(1).match(/\b[A-Z][a-z]+/g)?.length ?? 0;
  return ROAD_CODE.test(sentence) || POSTCODE.test(sentence) || PLACE_WORDS.test(sentence) || (proper > 0 && sentence.split(' ').length <= 6);
}

/** The place phrases of an answer: its leading place sentences, and later ones that add a direction or a code. */
function placeText(text: string): string {
  const sentences = sentencesOf(text);
  const first = placeSentences(sentences);
  // "Up in Ballard, somewhere over by the Locks? Actually no, I remember now. I was at ... Street": a vague
  // first go, then the precise place said later in the same answer.
  if (VAGUE.test(first))
    for (let i = 1; i < sentences.length; i++) {
      const later = placeSentences(sentences.slice(i));
      if (later && !VAGUE.test(later) && precision(later) > precision(first)) return later;
    }
  return first;
}

function placeSentences(sentences: readonly string[]): string {
  const kept: string[] = [];
  for (const sentence of sentences) {
    if (isAfterwards(sentence)) {
      if (kept.length) break;
      continue;
    }
    const narrative = NARRATIVE.test(sentence.replace(INTERJECTION, ''));
    const street = narrative ? streetSpan(sentence) : undefined;
    if (street) {
      // "..., heading east": a direction told after the street stays with it.
      const heading = sentence
        .slice(sentence.indexOf(street) + street.length)
        .split(/,\s*/)
        .filter((c) => STRONG.test(c));
      kept.push([street, ...heading.map((c) => narrativePlace(c.replace(/[.?!]+$/, '')))].join(', '));
      continue;
    }
    // "27 Fernbank Road, in Bramley. Leeds.": a bare town after a place sentence goes on with the address.
    const town = kept.length > 0 && /^(?:\p{Lu}[\p{L}'’-]*\s?){1,3}[.?!]?$/u.test(sentence.trim());
    if (town || (narrative ? STRONG.test(sentence) : isPlace(sentence))) {
      const clauses = sentence
        .replace(/[.?!]+$/, '')
        .split(/,\s*/)
        // Per clause: "Kirkstall Road, ..., postcode is LS4 2QL" keeps the road before the postcode.
        .map((c) => c.replace(INTRO, ''))
        .filter((c) => !TIME_OR_FILLER.test(c) && (!narrative || STRONG.test(c)) && !isDrift(c))
        .map((c) => (narrative ? narrativePlace(c) : c));
      if (clauses.length) kept.push(clauses.join(', '));
    } else if (kept.length && !narrative) break;
  }
  return tidy(kept.join(', '));
}

function isDrift(clause: string): boolean {
  if (!DRIFT.test(clause) || STRONG.test(clause) || ROAD_CODE.test(clause) || POSTCODE.test(clause)) return false;
  return !PLACE_WORDS.test(clause.replace(IDIOM, '')) && !/\s[A-Z][a-z]/.test(clause);
}

// "I was queuing on the slip road and he drove into me" → "on the slip road".
function narrativePlace(clause: string): string {
  const part = clause.split(/\b(?:and|but|when|so)\b/).find((p) => STRONG.test(p)) ?? clause;
  return part.replace(/^\s*(?:i|we|he|she|they|a car|the car)\s+(?:was|were|am|is|had been|has)?\s*\w+(?:ing|ed)?\s+(?=\w)/i, '').trim();
}

function tidy(text: string): string {
  // "Outside my house, 27 Fernbank Road, in Bramley": the address says where the house is; "in" is filler.
  let t = text
    .trim()
    .replace(/\b(outside|opposite|near|by) (?:my|our|his|her|their|the) (?:house|home|flat|place|work|office), (?=\d)/i, '$1 ')
    .replace(/, (?:in|at) (?=\p{Lu})/gu, ', ');
  for (let i = 0; i < 4 && LEAD.test(t); i++) t = t.replace(LEAD, '');
  t = t.replace(/^(on|in|at) (?=[A-Z0-9]|the )/i, '').replace(/^the /i, '');
  t = reportPlace(t);
  t = t.replace(NUMBERED, (m, word: string, spoken: string) => `${word} ${wordsToNumber(spoken) ?? spoken}`);
  t = t.replace(/\b(heading|going|travelling|traveling|in the direction(?: of)?) (north|south|east|west)\b/gi, '$2bound');
  t = t
    .replace(/[.?!]+(?=\s|$)/g, ',')
    .replace(/,\s*,/g, ',')
    .replace(/[\s,]+$/, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

const contentWords = (s: string) =>
  new Set((s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length > 2 && !/^(the|and|near|just|right|with|where|from|that|this)$/.test(w)));
const covers = (a: string, b: string) => [...contentWords(b)].every((w) => contentWords(a).has(w));

function precision(text: string): number {
  return (
    (ROAD_CODE.test(text) ? 3 : 0) + (POSTCODE.test(text) ? 2 : 0) + (PLACE_WORDS.test(text) ? 2 : 0) + (STRONG.test(text) ? 1 : 0) - (VAGUE.test(text) ? 3 : 0)
  );
}

export function findLocation(turns: readonly Turn[]): FoundValue<string> | undefined {
  const answers: { text: string; turn: Turn; readBack?: Turn; question: Turn }[] = [];
  let confirmedFile: FoundValue<string> | undefined;
  for (const [i, turn] of turns.entries()) {
    const question = turns[i - 1];
    if (turn.speaker === 'agent' || question?.speaker !== 'agent') continue;
    const asked = asksWhere(question.text);
    const own = placeText(turn.text);
    // A place word is enough when the agent plainly reads the file back for checking.
    const readsFile =
      precision(question.text) >= 3 ||
      (precision(question.text) >= 2 && /\b(?:is that (?:still )?(?:right|correct)|is that the one|can you confirm)\b/i.test(question.text));
    const addsToFile = !asked && CONFIRMS.test(turn.text) && readsFile && precision(own) >= 2;
    // "I have the report here: ... on Liberation Way near the depot. Is that right?" "That is correct.": the
    // file's place, confirmed, is the answer even when the caller adds nothing to it.
    const confirmsFile = !asked && !addsToFile && readsFile && CONFIRMS.test(turn.text) && /\?\s*$/.test(question.text);
    if (confirmsFile) {
      const filedPlace = placeText(question.text.replace(/\?/g, '.'));
      if (filedPlace)
        confirmedFile ??= { value: filedPlace, evidence: [{ start: question.start, end: question.start + question.text.length }], confidence: 0.5 };
      continue;
    }
    if (!asked && !addsToFile) continue;
    // "The location on the report is the southbound slip road, is that still right?" "Yes.": the agent said it.
    const confirmsQuestion = asked && /^\W*(yes|yeah|yep|correct|that's right)\b/i.test(turn.text) && precision(question.text) >= 3;
    // "In the Tesco car park, is that right?" "Yes. Near the trolley shelter.": the file's place plus what is added.
    // When the agent reads the addition back, that read-back joins it later instead.
    const after = turns[i + 1];
    const echoed = after?.speaker === 'agent' && [...contentWords(placeText(after.text))].some((w) => contentWords(own).has(w));
    const filed = addsToFile && !echoed ? joinPlaces(placeText(question.text.replace(/\?/g, '.')), own) : own;
    const text = confirmsQuestion ? placeText(question.text) : filed;
    const next = turns[i + 1];
    if (text) answers.push({ text, turn, question, ...(next?.speaker === 'agent' ? { readBack: next } : {}) });
  }
  const best = answers.reduce<(typeof answers)[number] | undefined>((b, a) => (!b || precision(a.text) >= precision(b.text) - 1 ? a : b), undefined);
  if (!best) return fallbackFromAgent(turns) ?? confirmedFile;
  let location = best.text;
  const spans = [{ start: best.turn.start, end: best.turn.start + best.turn.text.length }];
  const echo = best.readBack ? placeText(best.readBack.text.replace(/\?/g, '.')) : '';
  if (echo && contentWords(echo).size && [...contentWords(echo)].some((w) => contentWords(location).has(w))) {
    if (covers(echo, location)) location = echo;
    else if (!covers(location, echo)) location = `${location} (${echo})`;
    spans.push({ start: best.readBack!.start, end: best.readBack!.start + best.readBack!.text.length });
  }
  location = withRoad(location, turns, best.turn.index);
  location = withTown(location, turns, best.turn.index);
  location = withLaterCode(location, turns, best.turn.index);
  return { value: location, evidence: spans, confidence: Math.max(0.3, Math.min(0.9, 0.4 + 0.1 * precision(location))) };
}

// "Where on the 280?" answered "Southbound, near exit 8": the road is in the question or said before; use
// its fullest written form anywhere in the call ("I-280").
function withRoad(location: string, turns: readonly Turn[], upTo: number): string {
  if (ROAD_CODE.test(location)) return location;
  const said = turns
    .slice(0, upTo + 1)
    .map(
      (t) =>
        ROAD_CODE.exec(t.text)?.[0] ?? /\bthe (\d{2,3})\b(?! (?:years|minutes|pounds|dollars|mph|km))(?! (?!North|South|East|West)[A-Z])/.exec(t.text)?.[1],
    )
    .find(Boolean);
  if (!said) return location;
  const digits = said.replace(/\D/g, '');
  const fullest = turns.map((t) => new RegExp(String.raw`\b[A-Z]{1,2}-?${digits}\b`).exec(t.text)?.[0]).find(Boolean) ?? said;
  return `${fullest} ${location.replace(/^the /i, '').replace(/^\w/, (c) => c.toLowerCase())}`;
}

// "Here in Mysore", "somewhere outside Swindon": a town said earlier that the precise answer leaves out. "Up in
// Ballard, in Seattle": every town of that one turn, district then city.
function withTown(location: string, turns: readonly Turn[], upTo: number): string {
  for (const turn of turns.slice(0, upTo + 1).filter((t) => t.speaker !== 'agent')) {
    const towns = [...turn.text.matchAll(/(?<!\bas )\b(?:here in|outside|in) ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b/g)]
      .map((m) => m[1]!)
      .filter(
        (town) =>
          !location.includes(town) &&
          !/^(English|The|My|His|Her|January|February|March|April|May|June|July|August|September|October|November|December)$/.test(town),
      );
    if (towns.length) return [location, ...new Set(towns)].join(', ');
  }
  return location;
}

// The file's place, then each clause the caller adds that it does not already say ("in the car park" again is not).
function joinPlaces(first: string, added: string): string {
  if (!first) return added;
  const extra = added.split(/,\s*/).filter((c) => !covers(first, c));
  return [first, ...extra.map((c) => c.replace(/^(?:in|on|at) (?=the )/i, '').replace(/^[A-Z](?=[a-z])/, (ch) => ch.toLowerCase()))].join(', ');
}

// "It's LS13 3PQ if that helps": a postcode the caller gives after the place, when the place has none.
function withLaterCode(location: string, turns: readonly Turn[], from: number): string {
  if (POSTCODE.test(location)) return location;
  // The answer itself counts: "There's a pharmacy on the corner, the postcode is W6 7DJ" is chatter around a code.
  for (const turn of turns.slice(from).filter((t) => t.speaker !== 'agent')) {
    const code = /\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b/.exec(turn.text)?.[0];
    if (code && /\b(post ?code|zip)\b/i.test(turn.text)) return `${location}, ${code}`;
  }
  return location;
}

function fallbackFromAgent(turns: readonly Turn[]): FoundValue<string> | undefined {
  const said = turns
    .flatMap((t) => sentencesOf(t.text).map((s) => ({ s, t })))
    .filter(({ s }) => precision(s) >= 4)
    .map(({ s, t }) => ({ text: placeText(s.replace(/^.*?\b(?:location|collision|accident)[^,]*?\b(?:is|on|at) /i, '')), t }))
    .filter((x) => x.text);
  if (!said.length) return undefined;
  const text = said.map((x) => x.text).join('; ');
  return { value: text, evidence: said.map(({ t }) => ({ start: t.start, end: t.start + t.text.length })), confidence: 0.35 };
}
