// A transcript as turns: "Agent: ..." / "Caller: ..." in English, "客服：" / "来电者：" in Chinese. Offsets are
// kept so every value found can point back at its place in the transcript.

export type Speaker = 'agent' | 'caller' | 'unknown';

export interface Turn {
  readonly speaker: Speaker;
  /** The label as written ("Agent", "客服"), or '' for a line without one. */
  readonly label: string;
  readonly text: string;
  /** Offset of `text` in the transcript. */
  readonly start: number;
  /** Index of the turn in the call. */
  readonly index: number;
}

const AGENT_LABELS = /^(agent|operator|advisor|adviser|handler|call handler|representative|rep|csr|客服|坐席|接线员|工作人员)$/i;
const CALLER_LABELS = /^(caller|customer|client|driver|policyholder|insured|来电者|客户|报案人|车主)$/i;
const LABELLED = /^[ \t]*([^:：\n]{1,24}?)[ \t]*[:：][ \t]*/;

export function speakerOf(label: string): Speaker {
  if (AGENT_LABELS.test(label.trim())) return 'agent';
  if (CALLER_LABELS.test(label.trim())) return 'caller';
  return 'unknown';
}

export function parseTurns(transcript: string): Turn[] {
  const turns: Turn[] = [];
  let offset = 0;
  for (const line of transcript.split('\n')) {
    const match = LABELLED.exec(line);
    const label = match?.[1] ?? '';
    const speaker = match ? speakerOf(label) : 'unknown';
    // A colon far into a line ("at 5:30") is not a label; only known labels or short ones count.
    const skip = match && (speaker !== 'unknown' || label.length <= 12) ? match[0].length : 0;
    const text = line.slice(skip).replace(/\r$/, '');
    if (text.trim() !== '') turns.push({ speaker, label: skip ? label : '', text, start: offset + skip, index: turns.length });
    offset += line.length + 1;
  }
  return turns;
}
