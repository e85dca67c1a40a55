// Where it happened, as precisely as the call says. Callers wrap the place in fillers and often start vague
// ("我家附近那个大路口"); the agent's read-back right after the caller's answer usually states it cleanly, so
// the read-back is the core, with the city the caller named before it and landmarks it left out.
import type { Turn } from '../turns.js';
import { coveredBy, hasLandmark, hasRoad, isVague, landmarkCount, placeCodes, placeOf } from './place-text.js';
import { isPlaceName } from './segmenter.js';
import { clausesOf, confirms, isQuestion, replyTo, sentencesOf, spanOf, turnPiece, type FieldResult, type Piece } from './transcript-text.js';

interface Candidate {
  readonly text: string;
  readonly score: number;
  readonly evidence: Piece[];
  readonly order: number;
}

const LOCATION_ASK = /哪里|哪儿|哪个位置|什么地方|什么位置|地点|位置|在哪|哪条路|哪个路口/;
// "能说具体点吗？哪条路？": the agent found the first answer too vague, so the next one is the precise one.
const PRECISE_ASK = /具体|详细|准确|哪条路|哪个路口/;
const ACKNOWLEDGEMENT = /^(?:好的|好|明白了?|嗯|行|收到|了解)[，,。]?/;
const MAX_PLACE_LENGTH = 60;
// "哪条路或者哪个路口？": a clause that asks where is the agent's question, never a place it read off the file.
const ASKS = /哪|什么|怎么|多少|几/;

const isPlaceClause = (text: string) => hasRoad(text) || hasLandmark(text);

/** The first sentence of a caller turn that says where, as its place clauses (a bare city counts before them). */
function placeClauses(turn: Turn): Piece[] {
  for (const sentence of sentencesOf(turnPiece(turn))) {
    const clauses = clausesOf(sentence);
    const places = clauses.filter((c, i) => {
      if (isPlaceClause(c.text)) return placeOf(c.text) !== '';
      const place = placeOf(c.text);
      const next = clauses[i + 1];
      return place.length >= 2 && place.length <= 6 && next !== undefined && isPlaceClause(next.text) && isPlaceName(place);
    });
    if (places.some((c) => isPlaceClause(c.text))) return places;
  }
  return [];
}

/** The agent's sentence restating the place, if the agent's next turn opens with one. */
function readBack(turns: readonly Turn[], turn: Turn, said: string): Piece | undefined {
  const reply = replyTo(turns, turn.index);
  if (!reply || reply.speaker !== 'agent') return undefined;
  const sentence = sentencesOf(turnPiece(reply)).find((s) => isPlaceClause(s.text));
  if (!sentence || isQuestion(sentence.text)) return undefined;
  const lead = ACKNOWLEDGEMENT.exec(sentence.text)?.[0].length ?? 0;
  const text = sentence.text.slice(lead).replace(/[。！!.]+$/, '');
  if (!isPlaceClause(text) || coveredBy(text, said) < 0.3) return undefined;
  return { text, start: sentence.start + lead };
}

function candidateOf(turns: readonly Turn[], turn: Turn): Candidate | undefined {
  const clauses = placeClauses(turn);
  if (clauses.length === 0) return undefined;
  const places = clauses.map((c) => placeOf(c.text)).filter((p) => p !== '');
  // "B2" then "C区" must not run together into one code "B2C".
  const said = places.reduce((all, p) => all + (/[A-Za-z0-9]$/.test(all) && /^[A-Za-z0-9]/.test(p) ? ' ' : '') + p, '');
  const agentBefore = turns.slice(0, turn.index).findLast((t) => t.speaker === 'agent');
  const asked = agentBefore !== undefined && LOCATION_ASK.test(agentBefore.text);
  const pressed = asked && PRECISE_ASK.test(agentBefore.text);
  const back = readBack(turns, turn, said);
  let text = said;
  if (back) {
    // The read-back, led by the city the caller named and followed by landmarks it left out.
    const prefix = places.filter((p, i) => i === 0 && !isPlaceClause(p) && coveredBy(p, back.text) < 0.5);
    // "负二层，就是B2" read back as "B2层": a floor the read-back already gives is not added again.
    const floor = (p: string) => /层$/.test(p) && /层/.test(back.text);
    const extras = places.filter((p) => hasLandmark(p) && coveredBy(p, back.text) < 0.5 && !prefix.includes(p) && !floor(p));
    text = prefix.join('') + back.text + (extras.length ? `（${extras.join('，')}）` : '');
  }
  const score =
    1 +
    (asked ? 2 : 0) +
    (pressed ? 2 : 0) +
    (back ? 3 : 0) +
    Math.min(4, landmarkCount(said)) +
    Math.min(2, placeCodes(said).length) -
    (isVague(turn.text) ? 4 : 0);
  return { text: text.slice(0, MAX_PLACE_LENGTH), score, evidence: back ? [...clauses, back] : clauses, order: turn.index };
}

// "我这边看到是…在X路与Y路交叉口的事故，对吗？" "对，就是那次。": when the caller adds to an earlier report the
// agent reads the place off the file and the caller only confirms it, so the confirmed question is the answer.
function confirmedByCaller(turns: readonly Turn[], turn: Turn): Candidate | undefined {
  const reply = replyTo(turns, turn.index);
  if (!reply || reply.speaker === 'agent' || !confirms(reply.text)) return undefined;
  const isFiled = (c: Piece) => isPlaceClause(c.text) && !ASKS.test(c.text);
  const sentence = sentencesOf(turnPiece(turn)).find((s) => isQuestion(s.text) && clausesOf(s).some(isFiled));
  if (!sentence) return undefined;
  const clauses = clausesOf(sentence).filter((c) => isFiled(c) && placeOf(c.text) !== '');
  const text = clauses.map((c) => placeOf(c.text)).join('');
  if (!hasRoad(text) && landmarkCount(text) < 2) return undefined;
  const score = 6 + Math.min(4, landmarkCount(text)) + Math.min(2, placeCodes(text).length);
  return { text: text.slice(0, MAX_PLACE_LENGTH), score, evidence: clauses, order: turn.index };
}

export function extractLocation(turns: readonly Turn[]): FieldResult<string> | undefined {
  const candidates = turns
    .map((t) => (t.speaker === 'agent' ? confirmedByCaller(turns, t) : candidateOf(turns, t)))
    .filter((c): c is Candidate => c !== undefined);
  const best = candidates.reduce<Candidate | undefined>((a, c) => (!a || c.score >= a.score ? c : a), undefined);
  if (!best) return undefined;
  return { value: best.text, confidence: Math.min(0.9, 0.3 + best.score / 12), evidence: best.evidence.map(spanOf) };
}
