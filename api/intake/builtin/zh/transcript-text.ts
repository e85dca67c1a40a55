// Pieces of a Chinese transcript that every field reads: sentences and clauses of a turn with their offsets,
// and the ways a caller confirms or rejects what the agent read back.
import type { EvidenceSpan } from '../../extractor.js';
import type { Turn } from '../turns.js';

/** A stretch of one turn's text, with its offset in the transcript. */
export interface Piece {
  readonly text: string;
  readonly start: number;
}

/** What one field extractor found: the value, how sure it is, and where it came from. */
export interface FieldResult<T> {
  readonly value: T;
  readonly confidence: number;
  readonly evidence: EvidenceSpan[];
}

const SENTENCE_END = /[^。！？!?…]+[。！？!?…]*/g;
// A space between two Han characters is a pause, as punctuation is; one inside a Latin name is not.
const CLAUSE = /(?:[^，,、；;：:。！？!?…（）()\s]|(?<![\u4e00-\u9fff])\s|\s(?![\u4e00-\u9fff]))+/g;

function piecesOf(text: string, start: number, pattern: RegExp): Piece[] {
  const pieces: Piece[] = [];
  for (const match of text.matchAll(pattern)) {
    const raw = match[0];
    const lead = raw.length - raw.trimStart().length;
    const trimmed = raw.trim();
    if (trimmed !== '') pieces.push({ text: trimmed, start: start + (match.index ?? 0) + lead });
  }
  return pieces;
}

/** Sentences of a piece, each keeping its closing punctuation (so a question still ends in ？). */
export const sentencesOf = (piece: Piece): Piece[] => piecesOf(piece.text, piece.start, SENTENCE_END);

/** Clauses of a piece: the runs between any punctuation. */
export const clausesOf = (piece: Piece): Piece[] => piecesOf(piece.text, piece.start, CLAUSE);

export const turnPiece = (turn: Turn): Piece => ({ text: turn.text, start: turn.start });

export const spanOf = (piece: Piece): EvidenceSpan => ({ start: piece.start, end: piece.start + piece.text.length });

/** A reply that accepts what was just read back ("对", "没错", "是的", "对头", "正确"), not "对…不对". */
export function confirms(reply: string): boolean {
  const head = reply.trim().slice(0, 12);
  if (/不对|错了|不是|说错|说反|等一下|等等|稍等/.test(head)) return false;
  return /^(嗯+|对+|对的|对对|对头|没错|是的|是|是滴|正确|准确|没问题|就是|可以|ok|好的?|确认|无误)/i.test(head);
}

/** A reply that rejects or corrects what came before. */
export const corrects = (text: string): boolean => /不对|错了|说错|说反|搞错|记错|不是.{0,8}是|应该是|改一下|更正/.test(text);

/** Whether a sentence asks something (the agent's questions are not statements of fact). */
export const isQuestion = (sentence: string): boolean => /[？?]\s*$|吗[。，]?$|呢[。，]?$/.test(sentence.trim());

/** The first turn after `index` spoken by the other side. */
export function replyTo(turns: readonly Turn[], index: number): Turn | undefined {
  const asker = turns[index];
  if (!asker) return undefined;
  for (let i = index + 1; i < turns.length; i++) {
    const turn = turns[i];
    if (!turn) break;
    if (turn.speaker !== asker.speaker) return turn;
  }
  return undefined;
}

const AGENT_SPEECH = /客服|坐席|请问|为您服务|有什么可以帮/;

/**
 * Turns whose labels the parser did not know ("A：", "甲：") get a side when the call has exactly two such
 * labels: the one that greets and asks the questions is the agent.
 */
export function inferSpeakers(turns: readonly Turn[]): Turn[] {
  if (turns.some((t) => t.speaker !== 'unknown')) return [...turns];
  const labels = [...new Set(turns.map((t) => t.label).filter((l) => l !== ''))];
  if (labels.length !== 2) return [...turns];
  const agentness = (label: string) => turns.filter((t) => t.label === label && AGENT_SPEECH.test(t.text)).length;
  const [first = '', second = ''] = labels;
  const agent = agentness(first) >= agentness(second) ? first : second;
  return turns.map((t) => (t.label === '' ? t : { ...t, speaker: t.label === agent ? 'agent' : 'caller' }));
}
