// Damaged parts, one item each: a part noun with a word of harm near it, on the caller's car or, when the
// sentence is about someone else's ("his rear bumper", "and on her car ..."), prefixed "other vehicle's".
// The caller and the agent's read-back name the same parts, so items that agree on vehicle, part and side
// are one. Injuries have no part noun, and guesses ("maybe a scuff") are dropped.
import type { EvidenceSpan } from '../../extractor.js';
import type { Turn } from '../turns.js';
import type { FoundValue } from './policy-number.js';

const PARTS =
  'quarter panel|bumper|wing mirror|side mirror|door mirror|mirror|wing|fender|door handle|door|bonnet|hood|boot lid|boot|trunk|tailgate|windscreen|windshield|rear window|window|glass|sunroof|roof|grille|grill|radiator|airbag|air bag|alloy wheel|alloy|wheel|hubcap|tyre|tire|rim|axle|suspension|exhaust bracket|exhaust|headlight|headlamp|head light|tail light|taillight|tail lamp|brake light|fog light|indicator|light|parking sensors?|sensors?|reversing camera|backup camera|rear camera|camera|number plate|licen[cs]e plate|plate|tow bar|towbar|bull ?bar|nudge bar|roo bar|dickey|dicky|sill|skirt|spoiler|panel|bodywork|paintwork|engine|chassis|frame|pillar';
const PART = new RegExp(String.raw`\b(${PARTS})(?:s|es)?\b`, 'gi');
const HARM =
  /\b(broken|broke|smashed|cracked|crack|shattered|busted|dented|dent|dents|scraped|scrape|scratched|scratch|scratches|scuffed|scuff|crushed|crumpled|bent|damaged|snapped|missing|hanging|leaking|deployed|went off|blown|torn|knocked|pushed|caved|stoved|stove in|stuffed|wrecked|creased|crease|buckled|split|jammed|stuck|loose|fell off|(?:came|come|ripped|torn) off|popped|pulled out|folded|wobbles|wobbling|funny angle|out of line|(won't|will not|doesn't|does not|don't|do not|not|isn't) (open|close|closing|shut|latch|work|working|start|sit)|not working|black|out|gone|hole)\b/i;
const GUESS =
  /\b(maybe|might|may have|not sure|didn't look|don't know|no damage|not (?:even )?a (?:mark|scratch|dent|scuff)|didn't have a scratch|is fine|was fine|were fine|undamaged|not damaged|nothing wrong|one of those)\b/i;
const OTHER =
  /\b(his|her|hers|their|theirs|the other (car|vehicle|driver)|other car|other vehicle|other (party|driver)['’]s|whose|\w+['’]s (car|van|truck|vehicle|taxi|auto|suv|pickup|jeep|jeepney|lorry|bus|motorbike|bike|scooter)|(fellow|guy|man|lady|woman|chap|bloke|other driver|person)['’]s|the (auto|taxi|van|truck|lorry|bus|auto-rickshaw)(?:['’]s)?)\b/i;
const OWNER_AT_END = /\bon (?:his|her|their|the other|(?:(?:mr|mrs|ms|miss|dr)\.? )?[\w-]+['’]s) (?:car|vehicle|van|truck)\W*$/i;
// "his front is all bent": a side of the car with no part named.
const BARE_SIDE = /\b(his|her|their|its|the other car['’]s) (front|rear|back)(?:['’]s| end| is| was)* (?:all |completely |badly |kind of )?(\w+)/gi;
const BOUNDARY = /,|;|\band\b|\bbut\b/gi;
const OWN = /\b(my|mine|your|our)\b/i;
// "And the other vehicles?": a multi-car call asks about all of them at once.
const ASKS_OTHER =
  /\b(his|her|their|the other) (car|vehicle|van|truck)s?\b|\b(and|what about) (his|hers|theirs|her car|his car)\b|\b(?:on|to|about) the (?:taxi|van|truck|lorry|bus|pickup|suv|jeep|jeepney|motorbike|other one)\?/i;
const POSITIONS =
  /\b(front|rear|back|left|right(?=(?:[- ]hand)?[- ](?:side|one|front|rear|back|\w*light|\w*lamp|mirror|door|wing|fender|bumper|wheel|tyre|tire|indicator|quarter|panel))|driver['’]?s?|passenger|offside|nearside)\b/gi;

// Regional words for a part, written the way a report names it (Indian English "dickey" is the boot).
const REPORT_WORD: Readonly<Record<string, string>> = { dickey: 'boot', dicky: 'boot' };

interface Item {
  readonly other: boolean;
  /** Marked other only because the agent asked about another car, with no owner said in the sentence. */
  readonly byContext: boolean;
  readonly part: string;
  readonly positions: Set<string>;
  readonly harm: string;
  readonly span: EvidenceSpan;
}

const partKey = (part: string) =>
  part
    .toLowerCase()
    .replace(/s$/, '')
    .replace(/^(bonnet)$/, 'hood')
    .replace(/^(boot lid|boot|trunk|dickey|dicky)$/, 'trunk')
    .replace(/^windscreen$/, 'windshield')
    .replace(/^wing$/, 'fender')
    .replace(/^(wing|side|door) mirror$/, 'mirror')
    .replace(/^(headlamp|head light)$/, 'headlight')
    .replace(/^(taillight|tail lamp)$/, 'tail light')
    .replace(/^(number|license|licence) plate$/, 'plate')
    .replace(/^(reversing|backup|rear) camera$/, 'camera')
    .replace(/^(tyre)$/, 'tire')
    .replace(/^alloy$/, 'alloy wheel');

const positionOf = (word: string) => (/^back$/i.test(word) ? 'rear' : /^driver/i.test(word) ? "driver's" : word.toLowerCase());

/** Where the words about part `k` are: from the last boundary before it to the first boundary after its harm. */
function regionOf(sentence: string, parts: RegExpMatchArray[], k: number): string {
  const m = parts[k]!;
  const prevEnd = k === 0 ? 0 : parts[k - 1]!.index! + parts[k - 1]![0].length;
  const nextStart = parts[k + 1]?.index ?? sentence.length;
  const before = [...sentence.slice(prevEnd, m.index).matchAll(BOUNDARY)].at(-1);
  const from = before ? prevEnd + before.index + before[0].length : prevEnd;
  const partEnd = m.index! + m[0].length;
  const harm = HARM.exec(sentence.slice(partEnd, nextStart));
  const afterHarm = harm ? partEnd + harm.index + harm[0].length : partEnd;
  const boundary = [...sentence.slice(afterHarm, nextStart).matchAll(BOUNDARY)][0];
  return sentence.slice(from, boundary ? afterHarm + boundary.index : nextStart);
}

function itemsIn(sentence: string, offset: number, otherContext: boolean, following: string): Item[] {
  const parts = [...sentence.matchAll(PART)];
  const items: Item[] = [];
  let other = otherContext && !OWN.test(sentence);
  let saidOwner = false;
  // "Left tail light cracked and a dented boot on Mr Lloyd-Jones's car": the owner named at the end.
  const ownerAtEnd = OWNER_AT_END.test(sentence);
  for (const [k, m] of parts.entries()) {
    const region = regionOf(sentence, parts, k);
    const lead = sentence.slice(k === 0 ? 0 : parts[k - 1]!.index + parts[k - 1]![0].length, m.index);
    // "Derek's van moved into your lane and hit your front door": the owner said last before the part is its owner.
    const owner = lastOwner(lead);
    if (owner !== undefined) other = owner === 'other';
    if (owner !== undefined) saidOwner = true;
    // "Oh, and the wing mirror. It's hanging off": the harm can follow in the next sentence.
    const harm = nearestHarm(region, m[0]) ?? (/^\W*(it|it's|they|they're|i think it)\b/i.test(following) ? HARM.exec(following)?.[0] : undefined);
    if (!harm || GUESS.test(region)) continue;
    // "the mirror is broken, the glass is fallen out": the glass of the part just named, not a part of its own.
    if (/^glass$/i.test(m[1]!) && k > 0 && /mirror|light|lamp/i.test(parts[k - 1]![1]!)) continue;
    const positions = new Set([...region.matchAll(POSITIONS)].map((p) => positionOf(p[1]!)));
    items.push({
      other: other || ownerAtEnd,
      byContext: other && otherContext && !saidOwner && !ownerAtEnd,
      part: REPORT_WORD[m[1]!.toLowerCase()] ?? m[1]!.toLowerCase(),
      positions,
      harm: harm.toLowerCase(),
      span: { start: offset + m.index, end: offset + m.index + m[0].length },
    });
  }
  for (const m of sentence.matchAll(BARE_SIDE))
    if (HARM.test(m[3]!) && !PART.test(m[3]!))
      items.push({
        other: true,
        byContext: false,
        part: '',
        positions: new Set([positionOf(m[2]!)]),
        harm: m[3]!.toLowerCase(),
        span: { start: offset + m.index, end: offset + m.index + m[0].length },
      });
  return items;
}

const conflicting = (a: Set<string>, b: Set<string>) =>
  [
    ['front', 'rear'],
    ['left', 'right'],
    ["driver's", 'passenger'],
    ['offside', 'nearside'],
  ].some(([x, y]) => (a.has(x!) && !a.has(y!) && b.has(y!) && !b.has(x!)) || (a.has(y!) && !a.has(x!) && b.has(x!) && !b.has(y!)));

// One part said twice: no side contradicts, and front/rear agree unless one mention names no side at all.
const compatible = (a: Set<string>, b: Set<string>) => {
  if (conflicting(a, b)) return false;
  const subset = (x: Set<string>, y: Set<string>) => [...x].every((p) => y.has(p));
  const axis = (x: Set<string>) => ['front', 'rear'].filter((p) => x.has(p)).join();
  return subset(a, b) || subset(b, a) || axis(a) === axis(b);
};

/** Whose car the words before a part say it is: the possessive said last, or undefined when none is. */
function lastOwner(lead: string): 'own' | 'other' | undefined {
  const last = (pattern: RegExp) => Math.max(-1, ...[...lead.matchAll(new RegExp(pattern.source, 'gi'))].map((m) => m.index));
  const other = last(OTHER);
  const own = last(OWN);
  if (other < 0 && own < 0) return undefined;
  return other > own ? 'other' : 'own';
}

/** The word of harm in a part's region nearest to the part ("leaking in addition to the cracked front bumper"). */
function nearestHarm(region: string, part: string): string | undefined {
  const at = region.toLowerCase().lastIndexOf(part.toLowerCase());
  const harms = [...region.matchAll(new RegExp(HARM.source, 'gi'))];
  if (at < 0 || harms.length === 0) return harms[0]?.[0];
  const distance = (m: RegExpMatchArray) => {
    const index = m.index ?? 0;
    return index < at ? at - (index + m[0].length) : index - (at + part.length);
  };
  return harms.reduce((a, b) => (distance(b) < distance(a) ? b : a))[0];
}

const sentencesOf = (turn: Turn) => [...turn.text.matchAll(/[^.?!]+[.?!]*/g)].map((m) => ({ text: m[0], start: turn.start + m.index }));

export function findDamages(turns: readonly Turn[]): FoundValue<string[]> {
  const items: Item[] = [];
  for (const [i, turn] of turns.entries()) {
    const previous = turns[i - 1];
    const otherContext = previous !== undefined && previous.speaker !== turn.speaker && ASKS_OTHER.test(previous.text) && turn.speaker !== 'agent';
    const sentences = sentencesOf(turn).filter((s) => !/\?\s*$/.test(s.text) || turn.speaker !== 'agent');
    for (const [k, s] of sentences.entries()) items.push(...itemsIn(s.text, s.start, otherContext, sentences[k + 1]?.text ?? ''));
  }
  const merged: Item[] = [];
  for (const item of items) {
    const same = merged.findIndex((m) => m.other === item.other && partKey(m.part) === partKey(item.part) && compatible(m.positions, item.positions));
    if (same < 0) merged.push(item);
    else if (item.positions.size > merged[same]!.positions.size) merged[same] = item;
  }
  // "What's the damage to her car?" asked of a caller whose wife drove the insured car: a part the call also
  // names as the insured car's, with no owner said, was that car's, not a second one's.
  const kept = merged.filter(
    (d) => !(d.byContext && merged.some((o) => !o.other && partKey(o.part) === partKey(d.part) && compatible(o.positions, d.positions))),
  );
  const described = kept.slice(0, 6).map((d) => `${d.other ? "other vehicle's " : ''}${[...d.positions, d.part].join(' ')} ${d.harm}`.replace(/\s+/g, ' '));
  return { value: described, evidence: kept.map((d) => d.span), confidence: kept.length ? 0.6 : 0.3 };
}
