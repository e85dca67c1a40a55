// What makes a clause a place, and how a spoken place is tidied into a report's location: the fillers callers
// wrap around it dropped ("就…那块儿"), an intersection written the way reports write it (X与Y交叉口), and a
// kilometre post said in words written in digits (八十七公里 → 87公里处).
import { kilometrePosts } from './km-posts.js';

const ROAD = /路|街|大道|[一二三四五六内外中]环|[^知]道(?!歉)|巷|弄|高速|国道|省道|县道|高架|环线|立交|桥|隧道|匝道/;
// Places precise enough to be worth keeping even beside the agent's read-back. "B2" alone is a basement level.
const LANDMARK =
  /交叉|路口|十字|丁字|出口|入口|服务区|收费站|停车场|车库|车位|小区|广场|大厦|商场|购物|中心|超市|医院|学校|加油站|门口|[东西南北]门|公交站|地铁站|站台|对面|公里桩|\d+公里|[一二两三四五六七八九十百]+公里|[Kk]\d+|[A-Za-z]?\d+层|层|(?<![A-Za-z0-9])[Bb]\d(?!\d)|[A-Za-z]区|电梯|楼梯|段|方向|内圈|外圈|附近|旁边|[路街道巷弄]\d+号|\d+号(?:楼|门|院|车位|库)/;
// 去医院/到医院 is where someone went afterwards, not where the accident was.
const EVENT =
  /[去到]了?医院|直行|行驶|开着|开车|倒车|变道|右转|左转|掉头|并线|超车|刹|撞|追尾|蹭|剐|碰|停好|找车位|等红灯|被|把|[跟和与]一辆|往.{1,3}[开走]|堵车/;
// "我们小区附近": a place only the caller knows, named by whose it is rather than where.
const VAGUE = /我家|家附近|我们(?:小区|那儿?|这儿?|公司|单位|家)|那个地方|不记得|不清楚|不太清楚|忘了/;
const LEADING_FILLER =
  /^(?:哦|噢|嗯|呃|啊|诶|哎|对|是的|好的|就是|就在|就|是在|在|大概在|大概|应该是|应该在|差不多|当时在|当时|那是|那个|往|朝|向|我的车停在|车停在|停在|我在|我们在|我们|我家|本人在|我|是(?!的))+/;
// A time said before the place ("前天晚上在…", "昨天下午四点多，在…").
const LEADING_TIME =
  /^(?:大前天|前天|昨天|昨儿|今天|今儿|上周.|上个?星期.|上个?礼拜.|\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号](?![车门楼院位库]))?(?:早上|上午|中午|下午|傍晚|晚上|凌晨|夜里)?(?:[\d一二三四五六七八九十两]+点(?:多|半|左右)?)?/;
const TRAILING_FILLER =
  /(?:事故|位置|地方|那里|那儿|那边|那块儿|那块|那一块|这边|这块|这里|一带|的样子|左右|嘛|吧|呢|啊|呀|边上|(?<![北南])上|(?<=[区场库院])里)+$/;

export const hasRoad = (text: string): boolean => ROAD.test(text);
export const hasLandmark = (text: string): boolean => LANDMARK.test(text);
export const isVague = (text: string): boolean => VAGUE.test(text);
export const landmarkCount = (text: string): number => [...text.matchAll(new RegExp(LANDMARK.source, 'g'))].length;

/** The place said in a clause, without fillers and without the event told after it; '' when none is left. */
export function placeOf(clause: string): string {
  let text = clause;
  const event = EVENT.exec(text);
  if (event) text = text.slice(0, event.index);
  text = text.replace(/那个|这个|一个|一家|的|大概|大约|差不多/g, '').replace(/往(\S{1,8}方向)/, '$1');
  let previous = '';
  while (previous !== text) {
    previous = text;
    text = text.replace(LEADING_TIME, '').replace(LEADING_FILLER, '').replace(TRAILING_FILLER, '');
  }
  // "杨梅那一段": the stretch of road at a place, as reports write it (X路段).
  text = text.replace(/^(\S{2,8}?)那?一段$/, (m, place: string) => (/[路街道段]$/.test(place) ? m : `${place}路段`));
  return tidyIntersection(kilometrePosts(text));
}

/** "解放路和人民路十字路口" → "解放路与人民路交叉口", as reports write a crossing. */
export function tidyIntersection(text: string): string {
  return text.replace(/(\S{1,12}?[路街道])(?:和|跟|与|同)(\S{1,12}?[路街道])(?:十字路口|丁字路口|路口|交叉口|交叉)/, '$1与$2交叉口');
}

/** The bigrams a location is compared on, as the corpus scorer reads Chinese: codes and fillers left out. */
export function placeBigrams(text: string): Set<string> {
  let t = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[a-z0-9]+(?:[-+][a-z0-9]+)*/g, (w) => (/\d/.test(w) ? '' : w));
  t = t.replace(/[\s\p{P}\p{S}]/gu, '');
  for (const filler of ['交叉口', '公里桩', '公里', '附近', '一带', '方向', '与', '和', '跟', '处', '市', '区']) t = t.split(filler).join('');
  const grams = new Set<string>();
  for (let i = 0; i + 1 < t.length; i++) grams.add(t.slice(i, i + 2));
  return grams;
}

/** Codes such as K156, B2 or 88: runs of digits, alone or with letters. */
export const placeCodes = (text: string): string[] =>
  [
    ...text
      .normalize('NFKC')
      .toLowerCase()
      .matchAll(/[a-z0-9]+/g),
  ]
    .map((m) => m[0])
    .filter((w) => /\d/.test(w));

/** How much of `part` is already said by `whole` (0 to 1), on bigrams and codes. */
export function coveredBy(part: string, whole: string): number {
  const codes = placeCodes(part);
  const wholeCodes = new Set(placeCodes(whole));
  if (codes.some((c) => !wholeCodes.has(c))) return 0;
  const grams = [...placeBigrams(part)];
  if (grams.length === 0) return 1;
  const wholeGrams = placeBigrams(whole);
  return grams.filter((g) => wholeGrams.has(g)).length / grams.length;
}
