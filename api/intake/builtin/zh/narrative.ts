// The call's reason (one phrase from the closed list), the cause of the accident in one sentence, and a short
// summary naming every driver. The cause is the caller's own sentence that tells what happened; the summary is
// put together from the fields already found, so it never states what the call did not.
import type { DraftFields } from '../../extractor.js';
import type { Turn } from '../turns.js';
import { tellsDamage } from './damages.js';
import { clausesOf, isQuestion, sentencesOf, spanOf, turnPiece, type FieldResult, type Piece } from './transcript-text.js';

export const CALL_REASONS = {
  accident: '报告交通事故',
  addInformation: '补充已有报案信息',
  hitAndRun: '报告肇事逃逸',
  parked: '报告停放车辆受损',
  singleVehicle: '报告单车事故',
} as const;

const ADD_INFORMATION = /补充|之前(?:已经)?报过|已经报过案|上次报的|报案号是|追加/;
// 喺 is Cantonese 在: "我架车停喺商场停车场，被人撞咗".
const PARKED = /停着的|停着被|停[在喺].{0,12}被|停放|车上没人|(?:下楼|回来)(?:就|才)?(?:看到|发现)/;
const HIT_AND_RUN = /逃逸|跑了|逃了|跑掉|溜走|开溜|没停(?:车)?就走|扬长而去|直接开走/;
const SINGLE_VEHICLE =
  /自己(?:撞|蹭|刮|开)|撞(?:到|上)?了?(?:护栏|墙|柱子|树|石墩|路桩|隔离带|电线杆|路沿)|单方|侧翻|翻车|没有(?:其他|别的|对方)车|就我一(?:个|辆)车/;
// "已经为您登记为单车事故": the agent's own filing of the call is the surest reading of its reason.
const AGENT_FILED = /(?:登记|记录|记|受理|处理)(?:为|成)([^，。！？]{0,6})/g;
const FILED_AS: [RegExp, string][] = [
  [/补充/, CALL_REASONS.addInformation],
  [/停放|停车受损/, CALL_REASONS.parked],
  [/逃逸/, CALL_REASONS.hitAndRun],
  [/单车|单方/, CALL_REASONS.singleVehicle],
];
const CAUSE_WORD = /直行|变道|追尾|刹|倒车|闯红灯|超车|溜|并线|并道|抢|左转|右转|掉头|没看|没减速|挤|撞|蹭|剐|刮|碰/;
// 对 alone is "yes", but 对方 is the other party and stays.
const FILLER = /^(?:哦|嗯|呃|啊|哎|诶|对(?!方|面)|是的|好的|就是|那个|然后)[，,]?/;

export function extractCallReason(turns: readonly Turn[]): FieldResult<string> {
  const said = turns.filter((t) => t.speaker !== 'agent');
  const first = (pattern: RegExp) => said.find((t) => pattern.test(t.text));
  const reasons: [RegExp, string][] = [
    [ADD_INFORMATION, CALL_REASONS.addInformation],
    [PARKED, CALL_REASONS.parked],
    [HIT_AND_RUN, CALL_REASONS.hitAndRun],
    [SINGLE_VEHICLE, CALL_REASONS.singleVehicle],
  ];
  for (const turn of turns.filter((t) => t.speaker === 'agent'))
    for (const m of turn.text.matchAll(AGENT_FILED)) {
      const filed = FILED_AS.find(([pattern]) => pattern.test(m[1] ?? ''));
      if (filed)
        return { value: filed[1], confidence: 0.8, evidence: [{ start: turn.start + (m.index ?? 0), end: turn.start + (m.index ?? 0) + m[0].length }] };
    }
  for (const [pattern, reason] of reasons) {
    const turn = first(pattern);
    if (turn) return { value: reason, confidence: 0.6, evidence: [{ start: turn.start, end: turn.start + turn.text.length }] };
  }
  return { value: CALL_REASONS.accident, confidence: 0.7, evidence: [] };
}

const UNTOLD_CAUSE = '通话中未说明事故经过。';

/** The caller's sentence with the most words about how the accident happened; damage clauses left out. */
export function extractCause(turns: readonly Turn[]): FieldResult<string> {
  let best: { clauses: Piece[]; score: number } | undefined;
  for (const turn of turns.filter((t) => t.speaker !== 'agent')) {
    for (const sentence of sentencesOf(turnPiece(turn))) {
      if (isQuestion(sentence.text)) continue;
      const clauses = clausesOf(sentence).filter((c) => !tellsDamage(c.text));
      const score = clauses.reduce((n, c) => n + [...c.text.matchAll(new RegExp(CAUSE_WORD.source, 'g'))].length, 0);
      if (score > 0 && (!best || score > best.score)) best = { clauses, score };
    }
  }
  // Saying so is better than a cause made up: the agent sees the low confidence and asks.
  if (!best) return { value: UNTOLD_CAUSE, confidence: 0.1, evidence: [] };
  const clauses = best.clauses.filter((c) => CAUSE_WORD.test(c.text) || c.text.length > 4);
  const text = clauses.map((c) => c.text.replace(FILLER, '')).join('，');
  return { value: `${text.slice(0, 120)}。`, confidence: 0.5, evidence: clauses.map(spanOf) };
}

const sentence = (text: string) => text.replace(/[。！？!?.]+/g, '，').replace(/，+$/, '');

/** Up to three sentences from the fields found; every driver is named in the first. */
export function composeSummary(draft: DraftFields): string {
  const when = draft.accidentDate ? `${draft.accidentDate}` : '';
  const where = draft.location ? `在${sentence(draft.location)}` : '';
  const who = draft.drivers?.length ? `，驾驶人为${draft.drivers.join('、')}` : '';
  const opening = `来电${draft.callReason ?? CALL_REASONS.accident}：${when}${where}发生事故${who}。`;
  const cause = draft.cause ? `经过：${sentence(draft.cause)}。` : '';
  const damages = draft.damages === undefined ? '' : draft.damages.length ? `车损：${draft.damages.join('、')}。` : '车辆无明显损失。';
  return opening + cause + damages;
}
