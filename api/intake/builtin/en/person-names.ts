// Person names as a transcript writes them: one to three capitalised words ("Thu Tran", "Gethin
// Lloyd-Jones", "McCready"), with greetings, titles and sentence openers peeled off, and never a road, a
// company or a day. Also the agent's own name, taken from how agents introduce themselves.
import nlp from 'compromise';
import type { Turn } from '../turns.js';
import { MONTHS, WEEKDAYS } from './calendar.js';

export interface NameMention {
  /** The name as written, title dropped. */
  readonly name: string;
  readonly turn: Turn;
  /** Offsets in the transcript. */
  readonly start: number;
  readonly end: number;
}

// Unicode letter classes so "Élodie", "Łukasz" and "Şahin" are names too; lookarounds rather than \b, which
// only knows ASCII letters even under the u flag.
const WORD = String.raw`\p{Lu}\p{Ll}*(?:\p{Lu}\p{Ll}+)*(?:['’]\p{Lu}?\p{Ll}+)?(?:-\p{Lu}\p{Ll}+)*`;
// "Pieter van der Merwe", "Ayesha bin Rashid": lower-case surname particles between capitalised words.
const PARTICLE = String.raw`(?:van der|van den|van de|von der|de la|van|von|der|den|de|da|di|del|della|du|dos|das|al|el|bin|binti|ibn|ter|ten)`;
const SEQUENCE = new RegExp(String.raw`(?<![\p{L}\p{N}'’])${WORD}(?: (?:${PARTICLE} )?${WORD}){0,3}(?![\p{L}\p{N}])`, 'gu');
const OPENERS = new Set(
  (
    "hi hello hey hiya howya howaya howdy morning afternoon evening good yes yeah yep no nope okay ok oh thanks thank so and but the a an it its it’s it's i my his her he she " +
    "they we you your that this well right sorry please mr mrs ms miss dr sir madam ma'am lovely great perfect brilliant cheers aye nah mate g'day namaste " +
    'myself just also only then now here there what where when who how did do is was can could would will let got alright sure not nobody everyone someone ' +
    'some one two like if in on at of for with from by to as after before wait actually hang um uh er apparently anyway honestly dear god lord funny ' +
    "that’s that's i’m i'm i’ve i've i’d i'd he’s he's she’s she's we’re we're they’re they're there’s there's what’s what's"
  ).split(' '),
);
for (const d of [...WEEKDAYS, ...MONTHS]) OPENERS.add(d);
// Imperatives that open an agent's advice ("Stay in the car", "Keep safe"): capitalised at a sentence start,
// they look like a given name. Verbs that are also common given names (Will, Bill, Mark) are left out.
for (const w of 'stay keep stop hold call ring send take pull move remember try make go come look check mind watch bring tell grab wait sit'.split(' '))
  OPENERS.add(w);
// A capitalised word that makes the whole phrase a place, a firm or a thing rather than a person.
const NOT_PERSON = new Set(
  (
    'road street avenue lane boulevard drive way close crescent place square park car station insurance mutual direct casualty assurance motors motor ' +
    'stadium mall centre center interchange roundabout junction bridge hospital police highway motorway route interstate bank supermarket store shop ' +
    'garage hotel airport school college university church day english council county city town north south east west northbound southbound ' +
    'eastbound westbound services retail estate industrial market claims team department desk line'
  ).split(' '),
);

// Titles and ranks said before a name ("Mister Derek ...", "Sergeant ..."): dropped, so the bare name is the one
// kept and a person named with and without a title is one person.
const TITLE = /^(mr|mrs|ms|miss|missus|mister|dr|doctor|sir|madam|officer|constable|sergeant|sgt|inspector|detective)\.?$/i;
// Capitalised at a sentence start or as part of an organisation, these are never a whole name on their own:
// indefinite pronouns ("Somebody ran into me") and the units of an organisation ("Division said ...").
const NOT_A_NAME = new Set(
  (
    'somebody someone anybody anyone nobody everyone everybody something anything nothing everything whoever ' +
    'division department station unit branch office team company council police services precinct headquarters'
  ).split(' '),
);
// Compromise's lexicon tags for words that are pronouns, determiners or people described by role, not named.
const NOT_A_NAME_TAGS = new Set(['Actor', 'Pronoun', 'Determiner', 'Uncountable', 'Preposition', 'Conjunction', 'QuestionWord']);
const LEXICON = (nlp as unknown as { model: () => { one: { lexicon: Record<string, string | undefined> } } }).model().one.lexicon;
/** A single word that is a known pronoun, determiner or organisational noun rather than a person's name. */
const notAName = (word: string) => NOT_A_NAME.has(word.toLowerCase()) || NOT_A_NAME_TAGS.has(LEXICON[word.toLowerCase()] ?? '');
const PARTICLE_WORD = new RegExp(String.raw`^${PARTICLE}$`);
// "Dela Cruz", "Van Dyke", "Le Roux": a capitalised particle belongs to the surname after it, so it never
// counts as a given name or a whole name on its own.
const CAP_PARTICLE = /^(?:dela|de|del|della|da|di|du|van|von|le|la|den|der|dos|das|mac|mc|o['’])$/i;

/** Trims openers from both ends; undefined when nothing of a person's name is left. */
function cleanName(phrase: string): { name: string; skipped: number } | undefined {
  const words = phrase.split(' ');
  // "Madam's car": a possessive opener or title is still not a name.
  const opener = (w: string) => OPENERS.has(w.toLowerCase().replace(/['’]s$/, '')) || TITLE.test(w);
  let skipped = 0;
  while (words.length && (opener(words[0]!) || PARTICLE_WORD.test(words[0]!))) skipped += words.shift()!.length + 1;
  while (words.length && (opener(words.at(-1)!) || PARTICLE_WORD.test(words.at(-1)!))) words.pop();
  while (words.length > 1 && CAP_PARTICLE.test(words.at(-1)!)) words.pop();
  const named = words.filter((w) => !PARTICLE_WORD.test(w) && !CAP_PARTICLE.test(w));
  if (!named.length || named.length > 3 || words.some((w) => NOT_PERSON.has(w.toLowerCase()))) return undefined;
  // "C L seven seven...": spelled initials of a reference, not a person.
  if (named.every((w) => w.length === 1)) return undefined;
  // "Mi calling...", "Jo- Jonathan": a lone one- or two-letter word is a dialect pronoun or a cut-off word far
  // more often than a whole name; a short given name still counts inside a full name ("Li Wei").
  if (words.length === 1 && [...words[0]!].length <= 2) return undefined;
  if (words.length === 1 && notAName(words[0]!)) return undefined;
  return { name: words.join(' ').replace(/['’]s$/, ''), skipped };
}

export function nameMentions(turn: Turn): NameMention[] {
  const found: NameMention[] = [];
  for (const m of turn.text.matchAll(SEQUENCE)) {
    const cleaned = cleanName(m[0]);
    if (!cleaned) continue;
    const start = turn.start + m.index + cleaned.skipped;
    found.push({ name: cleaned.name, turn, start, end: start + cleaned.name.length });
  }
  return found;
}

/** Names compromise recognises in a lower-case line, for transcripts typed without capitals. */
export function namesByNlp(turn: Turn): NameMention[] {
  if (/\p{Lu}\p{Ll}/u.test(turn.text) || turn.text.length > 400) return [];
  const people = nlp(turn.text).people().out('array') as string[];
  return people
    .map((raw: string) => raw.replace(/[.,!?]+$/, ''))
    .flatMap((raw: string) => {
      const at = turn.text.indexOf(raw);
      const name = raw.replace(/\b\w/g, (c) => c.toUpperCase());
      return at < 0 || raw.split(' ').length > 3 ? [] : [{ name, turn, start: turn.start + at, end: turn.start + at + raw.length }];
    });
}

const AGENT_INTRO = new RegExp(
  String.raw`\b(?:[Mm]y name is|[Mm]y name's|[Tt]his is|[Ii]t's|[Yy]ou're (?:speaking|through) (?:to|with)|[Ss]peaking (?:to|with)|[Tt]hrough to|I'm|I am)\s+(${WORD})|(?<![\p{L}])(${WORD}) (?:speaking|here)\b`,
  'gu',
);

/** First names the agent goes by, lower case ("sam"), from the agent's introductions. */
export function agentNames(turns: readonly Turn[]): Set<string> {
  const names = new Set<string>();
  for (const turn of turns.filter((t) => t.speaker === 'agent').slice(0, 3))
    for (const m of turn.text.matchAll(AGENT_INTRO)) {
      const name = (m[1] ?? m[2] ?? '').toLowerCase();
      if (name && !OPENERS.has(name) && !NOT_PERSON.has(name)) names.add(name);
    }
  return names;
}
