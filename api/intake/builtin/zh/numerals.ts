// Chinese numerals as callers say them: policy numbers are read digit by digit (幺 for 1 so it is not
// misheard as 七, 两 for 2), while days of the month are read as numbers (十一号, 二十七日).

const DIGIT_OF: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  洞: '0',
  一: '1',
  幺: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  拐: '7',
  八: '8',
  九: '9',
};

/** The digit a single spoken character stands for, ASCII and full-width digits included. */
export function digitOf(char: string): string | undefined {
  if (/^[0-9]$/.test(char)) return char;
  if (/^[０-９]$/.test(char)) return String.fromCharCode(char.charCodeAt(0) - 0xfee0);
  return DIGIT_OF[char];
}

/** Characters that may stand for a digit when read one at a time. */
export const SPOKEN_DIGIT_CLASS = '0-9０-９零〇洞一幺二两三四五六七拐八九';

const SMALL_VALUE: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/**
 * The value of a number up to 99 written in digits or in Chinese (七, 十一, 二十七, 三十), as days and months
 * are said; undefined for anything else.
 */
export function smallNumberValue(text: string): number | undefined {
  const ascii = text.normalize('NFKC');
  if (/^\d{1,2}$/.test(ascii)) return Number(ascii);
  const match = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!match || text === '') return undefined;
  const [, tens, ten, units] = match;
  if (!ten) return tens && !units ? SMALL_VALUE[tens] : undefined;
  return (tens ? (SMALL_VALUE[tens] ?? 0) : 1) * 10 + (units ? (SMALL_VALUE[units] ?? 0) : 0);
}

/** Characters that may make up a day or month number (digits or 一…九 with 十). */
export const SMALL_NUMBER_CLASS = '0-9０-９一二两三四五六七八九十';
