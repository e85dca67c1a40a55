// Spoken numbers and letters as callers read them over the phone: "seven, one, oh", "double five",
// "forty-four seventy-one", "P as in Papa", "hotel, X-ray", "dash". A run is a stretch of such symbols that
// hesitations and joiners ("then", "that's", "um") do not break; policy numbers are read off runs.

export interface SpokenRun {
  /** Digits and capital letters, with `-` only where a dash was said or printed between groups. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const UNITS: Record<string, number> = { zero: 0, oh: 0, o: 0, nought: 0, naught: 0, nil: 0, one: 1, two: 2, three: 3, four: 4, five: 5 };
Object.assign(UNITS, { six: 6, seven: 7, eight: 8, nine: 9 });
const TEENS: Record<string, number> = { ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16 };
Object.assign(TEENS, { seventeen: 17, eighteen: 18, nineteen: 19 });
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const NATO =
  'alfa alpha bravo charlie delta echo foxtrot golf hotel india juliet juliett kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey whisky xray yankee zulu';
const NATO_WORDS = new Set(NATO.split(' '));
const REPEAT: Record<string, number> = { double: 2, triple: 3 };
// Words a caller says between the symbols of one number without ending it.
const JOINERS = new Set(['then', 'and', 'that', "that's", 'thats', 'is', "it's", 'its', 'it', 'um', 'uh', 'er', 'erm', 'ah', 'so', 'how', 'you', 'say']);
const EXPLAIN = new Set(['as', 'like', 'for']);

type Kind = 'digits' | 'letter' | 'nato' | 'dash' | 'word' | 'stop' | 'pause';
interface Token {
  readonly raw: string;
  readonly lower: string;
  readonly kind: Kind;
  readonly start: number;
  readonly end: number;
}

const TOKEN = /[A-Za-z0-9]+(?:['’][A-Za-z]+)?|\.{3}|…|[.?!]|[,;:]/g;

function classify(raw: string): Kind {
  const lower = raw.toLowerCase();
  if (/^\d+$/.test(raw)) return 'digits';
  if (/^[A-Z]{1,4}\d+[A-Z0-9]*$/.test(raw) || /^[A-Z]{2,4}$/.test(raw) || (/^[A-Z]$/.test(raw) && raw !== 'A' && raw !== 'I')) return 'letter';
  if (NATO_WORDS.has(lower)) return 'nato';
  if (lower === 'dash' || lower === 'hyphen') return 'dash';
  if (/^[.?!]$/.test(raw)) return 'stop';
  if (/^([,;:]|\.{3}|…)$/.test(raw)) return 'pause';
  return 'word';
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index;
    const raw = m[0].replace(/’/g, "'");
    tokens.push({ raw, lower: raw.toLowerCase(), kind: classify(raw), start, end: start + raw.length });
  }
  return tokens;
}

interface Sym {
  text: string;
  start: number;
  end: number;
  nato?: boolean;
  hundred?: boolean;
}

/** Every run of spoken or written symbols in `text`; offsets are shifted by `offset`. */
export function spokenRuns(text: string, offset = 0): SpokenRun[] {
  const tokens = tokenize(text);
  const runs: SpokenRun[] = [];
  let syms: Sym[] = [];
  const flush = () => {
    if (syms.some((s) => s.text !== '-')) runs.push(toRun(dropEchoedNato(syms), offset));
    syms = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const sym = (s: string, extra: Partial<Sym> = {}) => syms.push({ text: s, start: t.start, end: t.end, ...extra });
    const prev = tokens[i - 1];
    // A printed hyphen between groups ("KTW-5512-0938") is part of the number; "7-1-9" only spaces digits out.
    if (prev && syms.length && text[prev.end] === '-' && t.start === prev.end + 1 && prev.raw.length > 1 && t.raw.length > 1 && /^[A-Z0-9]+$/.test(t.raw))
      syms.push({ text: '-', start: prev.end, end: t.start });
    if (t.lower === 'x' && next?.lower === 'ray' && next.start === t.end + 1) {
      syms.push({ text: 'X', start: t.start, end: next.end, nato: true });
      i++;
    } else if (t.kind === 'digits' || t.kind === 'letter') {
      sym(t.raw.toUpperCase());
    } else if (
      (t.raw === 'A' || t.raw === 'I' || (t.raw === 'O' && next !== undefined && EXPLAIN.has(next.lower))) &&
      ((next && EXPLAIN.has(next.lower)) || text[t.end] === '-' || text[t.start - 1] === '-' || spelledOn(tokens, i))
    ) {
      sym(t.raw);
    } else if (t.kind === 'nato') {
      sym(t.lower[0]!.toUpperCase(), { nato: true });
    } else if (t.kind === 'dash') {
      if (syms.length) sym('-');
    } else if (t.lower in REPEAT && next && (next.lower in UNITS || /^[A-Z]$/.test(next.raw))) {
      const digit = next.lower in UNITS ? String(UNITS[next.lower]) : next.raw;
      syms.push({ text: digit.repeat(REPEAT[t.lower]!), start: t.start, end: next.end });
      i++;
    } else if (t.lower in TENS) {
      const unit = next && next.lower in UNITS && next.lower !== 'oh' && next.lower !== 'o' && next.start - t.end <= 1 ? UNITS[next.lower]! : 0;
      if (unit) i++;
      const end = unit ? next!.end : t.end;
      if (!fillHundred(syms, String(TENS[t.lower]! + unit), end)) syms.push({ text: String(TENS[t.lower]! + unit), start: t.start, end });
    } else if (t.lower in TEENS) {
      if (!fillHundred(syms, String(TEENS[t.lower]), t.end)) sym(String(TEENS[t.lower]));
    } else if (t.lower === 'hundred' && syms.length && /^\d$/.test(syms.at(-1)!.text)) {
      const last = syms.pop()!;
      syms.push({ text: last.text + '00', start: last.start, end: t.end, hundred: true });
    } else if (t.lower in UNITS && (t.lower !== 'o' || syms.length)) {
      if (!fillHundred(syms, String(UNITS[t.lower]), t.end)) sym(String(UNITS[t.lower]));
    } else if (EXPLAIN.has(t.lower) && syms.length && /[A-Z]$/.test(syms.at(-1)!.text)) {
      // "P as in Papa", "K like kilo": the example word spells nothing of its own.
      if (t.lower === 'as' && next?.lower === 'in') i++;
      const example = tokens[i + 1];
      const letters = syms
        .slice(-4)
        .map((s) => s.text)
        .join('');
      if (example && example.kind !== 'digits' && letters.includes(example.raw[0]?.toUpperCase() ?? '-')) i++;
    } else if (t.kind === 'pause' || (JOINERS.has(t.lower) && syms.length)) {
      continue;
    } else {
      flush();
    }
  }
  flush();
  return runs;
}

// "I, R, double five", read back as "I R 5 5": a lone I or A followed by another symbol is a letter being read,
// not the pronoun or the article ("I, um, I need" goes on with words).
function spelledOn(tokens: readonly Token[], i: number): boolean {
  const next = tokens[i + 1];
  if (next?.kind === 'letter' || next?.kind === 'digits' || next?.kind === 'dash') return true;
  // "M A dash 3 3": an A or I right after a letter being read is the next letter.
  const prev = tokens[i - 1]?.kind === 'pause' ? tokens[i - 2] : tokens[i - 1];
  if (prev?.kind === 'letter' && /^[A-Z]$/.test(prev.raw) && (next === undefined || next.kind !== 'word')) return true;
  const after = tokens[i + 2];
  if (next?.kind !== 'pause' || !after) return false;
  return after.kind === 'letter' || after.kind === 'digits' || after.kind === 'nato' || after.kind === 'dash' || after.lower in UNITS || after.lower in REPEAT;
}

// "four hundred and twelve": the words after "hundred" fill its zeros rather than following it.
function fillHundred(syms: Sym[], digits: string, end: number): boolean {
  const last = syms.at(-1);
  if (!last?.hundred) return false;
  last.text = last.text.slice(0, last.text.length - digits.length) + digits;
  last.end = end;
  last.hundred = digits.length === 1 ? false : last.hundred && digits.endsWith('0');
  return true;
}

// "H, X, R, that's hotel, X-ray, Romeo": a phonetic spelling that repeats the letters just said is one reading.
function dropEchoedNato(syms: Sym[]): Sym[] {
  const out: Sym[] = [];
  for (let i = 0; i < syms.length;) {
    if (!syms[i]!.nato) {
      out.push(syms[i++]!);
      continue;
    }
    let j = i;
    while (j < syms.length && syms[j]!.nato) j++;
    const word = syms
      .slice(i, j)
      .map((s) => s.text)
      .join('');
    const before = out
      .filter((s) => s.text !== '-')
      .map((s) => s.text)
      .join('');
    if (!before.endsWith(word)) out.push(...syms.slice(i, j));
    i = j;
  }
  return out;
}

function toRun(syms: Sym[], offset: number): SpokenRun {
  let value = '';
  for (const s of syms) {
    if (s.text === '-') value = value && !value.endsWith('-') ? value + '-' : value;
    else value += s.text;
  }
  return { value: value.replace(/-+$/, ''), start: offset + syms[0]!.start, end: offset + syms.at(-1)!.end };
}

/** A small count as said or written: "three" → 3, "12" → 12, "twenty-one" → 21. */
export function wordsToNumber(word: string): number | undefined {
  const w = word.toLowerCase();
  if (/^\d+$/.test(w)) return Number(w);
  if (w in UNITS && w !== 'oh' && w !== 'o') return UNITS[w];
  if (w in TEENS) return TEENS[w];
  const [tens, unit] = w.split(/[- ]/);
  if (tens && tens in TENS) return TENS[tens]! + (unit && unit in UNITS ? UNITS[unit]! : 0);
  return undefined;
}
