// Runs of spoken characters that may be part of a policy number: digits (Chinese or ASCII), letters read one
// at a time or in groups, and the pauses between groups ("P、D、A、A，二零二六，三二零幺").
import { digitOf } from './numerals.js';

export interface NumberRun {
  /** Digits and capital letters; a hyphen only where the caller said 杠 or wrote one between groups. */
  readonly value: string;
  readonly digits: number;
  readonly letters: number;
  /** Offsets of the run in the text it was read from. */
  readonly start: number;
  readonly end: number;
}

// Pauses and linking words callers put between groups; they never end a run.
const SEPARATOR = /^(?:[，,、\s·.．]|然后是|然后|接着是|接着|后面是|再是)/;
const DASH = /^(?:横杠|杠|[-—–－])/;
const LETTER_GROUP = /^[A-Za-zＡ-Ｚａ-ｚ]{1,5}(?![A-Za-z])/;

/** Every run of digits and letters in `text`, in order; `offset` is added to the positions. */
export function numberRuns(text: string, offset = 0): NumberRun[] {
  const runs: NumberRun[] = [];
  let value = '';
  let digits = 0;
  let letters = 0;
  let start = -1;
  let end = -1;
  let pendingDash = false;
  const close = () => {
    if (start >= 0 && value !== '') runs.push({ value, digits, letters, start: offset + start, end: offset + end });
    value = '';
    digits = letters = 0;
    start = end = -1;
    pendingDash = false;
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i, i + 6);
    const char = text[i] ?? '';
    const digit = digitOf(char);
    // A letter group must start a word: the tail of "David" is not a spelled letter group.
    const startsWord = !/[A-Za-zＡ-Ｚａ-ｚ]/.test(text[i - 1] ?? '');
    const letterGroup = digit === undefined && startsWord ? LETTER_GROUP.exec(rest) : null;
    if (digit !== undefined || letterGroup) {
      const piece = digit ?? (letterGroup?.[0] ?? '').normalize('NFKC').toUpperCase();
      // A hyphen stays only between groups of two or more characters, as in a printed number (KTW-5512).
      if (pendingDash && value.length >= 2) value += '-';
      pendingDash = false;
      if (start < 0) start = i;
      value += piece;
      if (digit !== undefined) digits++;
      else letters += piece.length;
      i += digit !== undefined ? 1 : piece.length;
      end = i;
      continue;
    }
    if (start >= 0) {
      const dash = DASH.exec(rest);
      const separator = dash ?? SEPARATOR.exec(rest);
      if (separator) {
        if (dash) pendingDash = true;
        i += separator[0].length;
        continue;
      }
    }
    close();
    i++;
  }
  close();
  return runs.map(dropLoneHyphens);
}

// "5-4-6" read one digit at a time is not a hyphenated number: keep hyphens only between longer groups.
function dropLoneHyphens(run: NumberRun): NumberRun {
  if (!run.value.includes('-')) return run;
  const groups = run.value.split('-');
  return groups.every((g) => g.length >= 2) ? run : { ...run, value: groups.join('') };
}
