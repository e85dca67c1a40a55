// Damaged parts, one item per part: "右前门凹陷", and "对方车辆后保险杠划痕" for another vehicle. Callers
// spread them over the call and in colloquial words (凹进去一块, 给干掉了); the agent restates them. Items said
// twice are kept once, guesses ("可能是…") only when the agent records them, injuries never.
import type { Turn } from '../turns.js';
import { HARM_WORDS, PART_WORDS, POSITION, type PartWord } from './car-parts.js';
import { clausesOf, isQuestion, sentencesOf, turnPiece, type FieldResult, type Piece } from './transcript-text.js';

interface Damage {
  readonly otherVehicle: boolean;
  readonly positions: string;
  readonly part: string;
  readonly harm: string;
  readonly source: Piece;
  readonly byAgent: boolean;
}

// The other car is also named by its kind (出租车右后门…); the caller's own car is 我的车 or 本车.
const OTHER_VEHICLE = /对方|他的|她的|他那|她那|人家|前车(?!牌)|后车(?![牌门窗灯厢])|另一辆|对面车|那辆车|出租车|面包车|货车|卡车|公交车|大巴|电动车|摩托车/;
const OWN_VEHICLE = /我|本车|自己|您的车|你的车/;
const OTHER_VEHICLE_ASK = /对方(?:车|的车)|前车的|后车的|他的车|她的车/;
const GUESS = /可能|好像|也许|估计|不知道|没细看|没看|不确定|说不定/;
const NEGATED_HARM = /没有?(?:啥|什么)?(?:损坏|事|问题|坏)|冇得|没得事|没损|无损|看不清|看不出/;
const MAX_ITEMS = 5;

function harmIn(text: string): string | undefined {
  if (NEGATED_HARM.test(text)) return undefined;
  return HARM_WORDS.find(([pattern]) => pattern.test(text))?.[1];
}

/** The position said just before a part ("右前门", "左边两个车门", "副驾驶那个车门"). */
function positionBefore(text: string, at: number): string {
  const window = text.slice(Math.max(0, at - 7), at);
  const matches = [...window.matchAll(POSITION)].filter((m) => /^[的两个那这边侧面前后左右]*$/.test(window.slice((m.index ?? 0) + m[0].length)));
  const first = matches[0];
  if (!first) return '';
  const joined = window.slice(first.index ?? 0).replace(/[的两个那这边侧面方]/g, '');
  return joined.replace(/驾$/, '驾驶');
}

function partsIn(text: string): { word: PartWord; at: number }[] {
  const found: { word: PartWord; at: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const word = PART_WORDS.find((w) => text.startsWith(w.surface, i));
    if (!word) continue;
    if (!word.needsPosition || positionBefore(text, i) !== '') found.push({ word, at: i });
    i += word.surface.length - 1;
  }
  return found;
}

/** Whether a clause names a damaged part ("前保险杠裂了"): such clauses tell the damage, not the cause. */
export const tellsDamage = (clause: string): boolean => partsIn(clause).some(({ word, at }) => harmIn(clause.slice(at + word.surface.length)) !== undefined);

function damagesInTurn(turn: Turn, otherAsked: boolean): Damage[] {
  const byAgent = turn.speaker === 'agent';
  const found: Damage[] = [];
  for (const sentence of sentencesOf(turnPiece(turn))) {
    if (isQuestion(sentence.text)) continue;
    const clauses = clausesOf(sentence);
    // "对方车辆发动机盖变形、前保险杠脱落": a list that opens on the other car stays on it until 我/本车 comes up.
    let otherListed = false;
    clauses.forEach((clause, i) => {
      if (OWN_VEHICLE.test(clause.text)) otherListed = false;
      if (!byAgent && GUESS.test(clause.text)) return;
      const parts = partsIn(clause.text);
      // "她那个车，前保险杠都掉了": a clause naming only the other car makes it the topic of what follows.
      if (parts.length === 0 && OTHER_VEHICLE.test(clause.text) && !OWN_VEHICLE.test(clause.text)) otherListed = true;
      const nextClause = clauses[i + 1];
      const following = nextClause && partsIn(nextClause.text).length === 0 ? nextClause.text : '';
      for (const [k, { word, at }] of parts.entries()) {
        const end = parts[k + 1]?.at ?? clause.text.length;
        const harm =
          harmIn(clause.text.slice(at + word.surface.length, end)) ??
          harmIn(clause.text.slice(0, at)) ??
          (k === parts.length - 1 ? (harmIn(following) ?? sharedHarm(sentence, clauses, i)) : undefined);
        if (!harm) continue;
        const before = clause.text.slice(0, at);
        const otherVehicle = OTHER_VEHICLE.test(before) || otherListed || (otherAsked && !byAgent && !/我/.test(clause.text));
        otherListed = otherVehicle;
        found.push({ otherVehicle, positions: positionBefore(clause.text, at), part: word.part, harm, source: clause, byAgent });
      }
    });
  }
  return found;
}

/** "右前门、右后门凹陷": parts listed with 、 share the harm said after the last of them. */
function sharedHarm(sentence: Piece, clauses: readonly Piece[], i: number): string | undefined {
  for (let j = i; j + 1 < clauses.length; j++) {
    const clause = clauses[j]!;
    const separator = sentence.text.slice(clause.start - sentence.start + clause.text.length, clauses[j + 1]!.start - sentence.start);
    if (!/^、$/.test(separator.trim())) return undefined;
    const next = clauses[j + 1]!.text;
    const parts = partsIn(next);
    const last = parts.at(-1);
    const harm = last ? harmIn(next.slice(last.at + last.word.surface.length)) : undefined;
    if (harm) return harm;
  }
  return undefined;
}

const positionSet = (positions: string) => new Set(positions.replace('驾驶', '').split(''));

/** The same part on the same vehicle, its positions not contradicting (左 and 左前 agree, 前 and 后 do not). */
function samePart(a: Damage, b: Damage): boolean {
  if (a.otherVehicle !== b.otherVehicle || a.part !== b.part) return false;
  const pa = positionSet(a.positions);
  const pb = positionSet(b.positions);
  return [...pa].every((p) => pb.has(p)) || [...pb].every((p) => pa.has(p));
}

const describe = (d: Damage) => `${d.otherVehicle ? '对方车辆' : ''}${d.positions}${d.part}${d.harm}`;

export function extractDamages(turns: readonly Turn[]): FieldResult<string[]> {
  const all = turns.flatMap((turn) => {
    const previousAgent = turns.slice(0, turn.index).findLast((t) => t.speaker === 'agent');
    return damagesInTurn(turn, previousAgent !== undefined && OTHER_VEHICLE_ASK.test(previousAgent.text));
  });
  const kept: Damage[] = [];
  for (const damage of all) {
    const same = kept.findIndex((k) => samePart(k, damage));
    const existing = kept[same];
    if (!existing) kept.push(damage);
    // The fuller position wins, then the agent's wording.
    else if (
      damage.positions.length > existing.positions.length ||
      (damage.byAgent && !existing.byAgent && damage.positions.length === existing.positions.length)
    )
      kept[same] = damage;
  }
  const items = kept.slice(0, MAX_ITEMS);
  const evidence = all.filter((d) => items.some((k) => samePart(k, d))).map((d) => ({ start: d.source.start, end: d.source.start + d.source.text.length }));
  return { value: items.map(describe), confidence: items.length ? 0.7 : 0.4, evidence };
}
