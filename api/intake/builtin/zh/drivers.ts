// Who was driving: the caller (unless the caller reports for a relative who drove) and every other driver
// whose name was given. The agent, passengers, police, witnesses, property staff and relatives who only rode
// along are named in calls too; a name counts only where the call is about a driver.
import type { EvidenceSpan } from '../../extractor.js';
import type { Turn } from '../turns.js';
import { readName, spelledName } from './names.js';
import { clausesOf, replyTo, turnPiece, type FieldResult, type Piece } from './transcript-text.js';

interface FoundName {
  readonly name: string;
  readonly span: EvidenceSpan;
}

const CALLER_NAME_ASK = /称呼|贵姓|姓名|名字|叫什么|怎么叫/;
const OTHER_PARTY_ASK = /对方|司机|驾驶人|驾驶员|开车的|前车|后车|车主|另一|其他车/;
const OTHER_NAME_ASK = /名字|姓名|叫什么|信息|资料|是谁|哪位|联系方式|怎么称呼/;
const NAME_TRIGGER = /(?:名叫|叫做|叫|名字是|姓名是|姓名为|是|为)/g;
// After 是/为 a name must start with a known surname (是位女司机, 为其妻子 are not names); after 叫 it need not.
const STRICT_TRIGGERS = new Set(['是', '为']);
const RELATIVE = '儿子|女儿|老婆|老公|爱人|妻子|丈夫|媳妇|太太|父亲|母亲|爸爸|妈妈|爸|妈|弟弟|哥哥|姐姐|妹妹|孩子|朋友|同事|家属|亲戚';
const NON_DRIVER_BEFORE = new RegExp(`(交警|警官|民警|警察|乘客|副驾|后座|目击|路人|保安|物业|经理|师傅|医生|律师|客服|坐席|${RELATIVE})[^，。！？]{0,6}$`);
// "直接撞我爸的是一位叫方卓然的先生": a relative hit by someone is the object; the name after is who hit them.
const RELATIVE_HIT = new RegExp(`(?:撞|追尾?|碰|蹭|刮|擦)了?(?:我|我们)?的?(?:${RELATIVE})[^，。！？]{0,6}$`);
const nonDriverBefore = (text: string) => NON_DRIVER_BEFORE.test(text) && !RELATIVE_HIT.test(text);
const NON_DRIVER_AFTER = /^(警官|经理|师傅|医生|律师|坐|在副驾|在后座|在车上|也在车上)/;
// "我妻子坐在副驾驶" is a relative riding along: 副驾驶 is the passenger seat, and a clause about sitting
// (坐) never says who drove.
const RELATIVE_DROVE = new RegExp(
  `(?:我|是我)的?(${RELATIVE})[^。！？我坐]{0,10}(?:开的|在开|开车|开了?(?:我|家里)的?车|(?<!副)驾驶|开着)|(?:帮|替|代)我?的?(?:${RELATIVE}|她|他)报`,
);
// "是我本人驾驶", "我自己开的": the caller says outright they drove, whoever else was in the car.
const CALLER_DROVE = /(?:是我|我)(?:本人|自己)(?:驾驶|开)|是我(?:在)?开的|我开的车/;
const RELATIVE_NAMED = new RegExp(`(?:我|是我)的?(?:${RELATIVE})(?:叫|名叫|是)?`, 'g');
const AGENT_SELF = /(?:我是|我叫|这里是|这边是)(?:客服|坐席|专员|接线员|工作人员)*|(?:客服|坐席|专员)+/g;

/** Names read in a piece of a turn: after a trigger word, or a clause that is only a name. */
function namesIn(piece: Piece, withRoles: boolean): FoundName[] {
  const found: FoundName[] = [];
  const clauses = clausesOf(piece);
  for (const [k, clause] of clauses.entries()) {
    // A clause opening with 叫 or 是 is read after the trigger, not as a whole ("叫安娜·伊万诺娃").
    const whole = /^[叫是为]/.test(clause.text) ? undefined : readName(clause.text, true);
    if (whole) found.push({ name: whole, span: { start: clause.start, end: clause.start + whole.length } });
    for (const match of clause.text.matchAll(NAME_TRIGGER)) {
      const at = (match.index ?? 0) + match[0].length;
      const name = readName(clause.text.slice(at), false, !STRICT_TRIGGERS.has(match[0]));
      if (!name) continue;
      // "来了一位民警，叫刘振宇": a clause that opens with 叫/是 names whoever the clause before it was about.
      const subjectless = (match.index ?? 0) === 0 && k > 0;
      const before = (subjectless ? (clauses[k - 1]?.text ?? '') : '') + clause.text.slice(0, match.index ?? 0);
      const after = clause.text.slice(at + name.length);
      if (!withRoles && (nonDriverBefore(before) || NON_DRIVER_AFTER.test(after))) continue;
      found.push({ name, span: { start: clause.start + at, end: clause.start + at + name.length } });
    }
  }
  return found.filter(
    (f) =>
      withRoles ||
      !nonDriverBefore(
        piece.text
          .slice(0, f.span.start - piece.start)
          .split(/[，。！？]/)
          .pop() ?? '',
      ),
  );
}

function agentNames(turns: readonly Turn[]): Set<string> {
  const names = new Set<string>();
  for (const turn of turns.filter((t) => t.speaker === 'agent')) {
    for (const match of turn.text.matchAll(AGENT_SELF)) {
      const name = readName(turn.text.slice((match.index ?? 0) + match[0].length), false);
      if (name) names.add(name);
    }
  }
  return names;
}

function callerName(turns: readonly Turn[], agents: Set<string>): FoundName | undefined {
  const asks = turns.filter((t) => t.speaker === 'agent' && CALLER_NAME_ASK.test(t.text) && !OTHER_PARTY_ASK.test(t.text));
  for (const ask of asks) {
    const reply = replyTo(turns, ask.index);
    if (!reply || reply.speaker === 'agent') continue;
    const named = namesIn(turnPiece(reply), false).find((f) => !agents.has(f.name));
    if (named) return named;
    const spelled = spelledName(clausesOf(turnPiece(reply)).map((c) => c.text));
    if (spelled) return { name: spelled, span: { start: reply.start, end: reply.start + reply.text.length } };
  }
  // No question answered: the caller introducing themself anywhere ("我姓潘，潘越", "我叫…").
  for (const turn of turns.filter((t) => t.speaker !== 'agent' && /我叫|我的名字|我是|我姓|免贵|本人/.test(t.text))) {
    const named = namesIn(turnPiece(turn), false).find((f) => !agents.has(f.name));
    if (named) return named;
  }
  return undefined;
}

/** Caller turns about another driver: answers to a question about the other party, or naming a driver. */
function otherDriverNames(turns: readonly Turn[], exclude: Set<string>): FoundName[] {
  const found: FoundName[] = [];
  for (const turn of turns) {
    if (turn.speaker === 'agent') continue;
    const previous = turns[turn.index - 1];
    const asked = previous?.speaker === 'agent' && OTHER_PARTY_ASK.test(previous.text) && OTHER_NAME_ASK.test(previous.text);
    if (!asked && !/司机|驾驶人|驾驶员|开车的|对方|前车|后车/.test(turn.text)) continue;
    for (const f of namesIn(turnPiece(turn), false)) if (!exclude.has(f.name)) found.push(f);
  }
  return found;
}

/** "车是我儿子开的，他叫…": the relative who drove, named in that turn or the caller's next one. */
function relativeDriverNames(turns: readonly Turn[], exclude: Set<string>): FoundName[] {
  const found: FoundName[] = [];
  for (const turn of turns) {
    if (turn.speaker === 'agent' || !RELATIVE_DROVE.test(turn.text)) continue;
    // "车是我老公彭建军开的": the name straight after the relative word.
    for (const m of turn.text.matchAll(RELATIVE_NAMED)) {
      const at = (m.index ?? 0) + m[0].length;
      const name = readName(turn.text.slice(at), false);
      if (name && !exclude.has(name)) found.push({ name, span: { start: turn.start + at, end: turn.start + at + name.length } });
    }
    const next = turns.slice(turn.index + 1).find((t) => t.speaker !== 'agent');
    for (const t of next ? [turn, next] : [turn]) for (const f of namesIn(turnPiece(t), true)) if (!exclude.has(f.name)) found.push(f);
  }
  return found;
}

export function extractDrivers(turns: readonly Turn[]): FieldResult<string[]> | undefined {
  const agents = agentNames(turns);
  const caller = callerName(turns, agents);
  const callerTurns = turns.filter((t) => t.speaker !== 'agent');
  const relativeDrove = callerTurns.some((t) => RELATIVE_DROVE.test(t.text)) && !callerTurns.some((t) => CALLER_DROVE.test(t.text));
  const exclude = new Set([...agents, ...(caller ? [caller.name] : [])]);
  const others = otherDriverNames(turns, exclude);
  const relatives = relativeDrove ? relativeDriverNames(turns, exclude) : [];
  const drivers = [...(caller && !relativeDrove ? [caller] : []), ...relatives, ...others];
  const unique = drivers.filter((d, i) => drivers.findIndex((o) => o.name === d.name) === i);
  if (unique.length === 0) return undefined;
  return {
    value: unique.map((d) => d.name),
    confidence: caller ? 0.8 : 0.5,
    evidence: drivers.map((d) => d.span),
  };
}
