// Kilometre posts said in words ("大概八十七公里那边", "一百二十三公里处") written as a report writes them: digits
// and 公里处, or kept as 公里桩 when the caller said 桩.
const DIGIT: Readonly<Record<string, number>> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const SPOKEN_KM = /([零一二两三四五六七八九十百千]+|\d+)公里(桩|处)?/g;

/** The value of a Chinese number up to 9999 said with 千/百/十 ("一百零五" → 105), or undefined. */
export function chineseNumberValue(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  let total = 0;
  let pending: number | undefined;
  for (const char of text) {
    const unit = char === '千' ? 1000 : char === '百' ? 100 : char === '十' ? 10 : undefined;
    if (unit !== undefined) {
      total += (pending ?? 1) * unit;
      pending = undefined;
    } else if (char in DIGIT) {
      // "一二三" read digit by digit is no quantity.
      if (pending !== undefined && pending !== 0) return undefined;
      pending = DIGIT[char];
    } else return undefined;
  }
  return total + (pending ?? 0);
}

/** Every kilometre figure in `text` with its number in digits and a 处 or 桩 after it. */
export function kilometrePosts(text: string): string {
  return text.replace(SPOKEN_KM, (m, number: string, post: string | undefined) => {
    const value = chineseNumberValue(number);
    return value === undefined || value === 0 ? m : `${value}公里${post ?? '处'}`;
  });
}
