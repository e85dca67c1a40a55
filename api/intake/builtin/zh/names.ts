// Reading a person's name where one is expected: after 叫/是, or a clause that is nothing but a name. Chinese
// names are a surname (one character, or two for 欧阳-style compound surnames) and one or two more; foreign
// names are kept as written (David Moore, 安娜·伊万诺娃); a name spelled out character by character
// ("孙悟空的孙，红色的红") or by its parts (弓长张) is put back together.
import { isCommonWord } from './segmenter.js';

const SINGLE_SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伏钮戈';
const COMPOUND_SURNAMES = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '百里',
  '呼延',
];
// Characters that end a name when a clause runs on after it ("孙悦很高兴为您服务").
const NOT_IN_NAME = /[的了是在我你他她们说叫吗呢吧啊哦嗯就也和跟很都还没不个位这那什么哪谁开坐先女老把被给让从对到去来过着要会能好请为当已]/;
const TITLES = /(先生|女士|小姐|师傅|老师|同志|警官)$/;
const HAN = /[\u4e00-\u9fff]/;
// "是韩国人", "是回族人": a nationality or people after 是 starts with a surname character but names nobody.
const PEOPLE_WORD = /(国人|族人|籍|裔|人士)$/;
// "东方财险", "平安保险": an insurer or company can start with a surname but is never a person.
const FIRM = /(财险|保险|寿险|人寿|财产|公司|集团|银行|车行|物流|租赁|出租|快递|驾校)$/;

// Characters named by their parts, as callers spell surnames.
const BY_PARTS: Readonly<Record<string, string>> = {
  弓长: '张',
  立早: '章',
  木子: '李',
  耳东: '陈',
  口天: '吴',
  双木: '林',
  草头: '黄',
  古月: '胡',
  言午: '许',
  三横: '王',
  人可: '何',
  禾口: '和',
  千里: '重',
};

export const surnameOf = (name: string): string | undefined =>
  COMPOUND_SURNAMES.find((s) => name.startsWith(s)) ?? (SINGLE_SURNAMES.includes(name[0] ?? '') ? name[0] : undefined);

/** Whether a run of Han characters reads as a Chinese full name; `loose` allows surnames not on the list. */
export function isChineseName(text: string, loose = false): boolean {
  if (!/^[\u4e00-\u9fff]{2,4}$/.test(text) || NOT_IN_NAME.test(text.slice(1)) || FIRM.test(text) || PEOPLE_WORD.test(text)) return false;
  const surname = surnameOf(text);
  if (!surname && !loose) return false;
  if (surname && text.length - surname.length < 1) return false;
  return !isCommonWord(text);
}

export interface NameRead {
  readonly name: string;
  /** Offset of the name in the text it was read from. */
  readonly at: number;
}

/**
 * The name at the start of `text` (just after 叫 or 是), if one is there. With `wholeClause` the name must fill
 * the clause; otherwise a name may run into the words after it and is cut where a name cannot go on.
 */
export function readName(text: string, wholeClause: boolean, loose = false): string | undefined {
  const latin = /^[A-Z][a-z'’-]+(?:[ ·.][A-Z][a-z'’-]+){0,3}(?![A-Za-z0-9])/.exec(text)?.[0];
  if (latin && (!wholeClause || latin.length === text.trim().length)) return latin.includes(' ') || !wholeClause ? latin : undefined;
  const dotted = /^[\u4e00-\u9fff]{1,6}(?:[·•・][\u4e00-\u9fff]{1,8})+/.exec(text)?.[0];
  // "他叫丹尼尔·霍夫曼" read as a whole clause: words before the name are not part of it; the name is read again
  // after 叫.
  if (dotted && !NOT_IN_NAME.test(dotted.split(/[·•・]/)[0] ?? '')) return dotted.replace(/[•・]/g, '·');
  if (dotted) return undefined;
  const run = (/^[\u4e00-\u9fff]+/.exec(text)?.[0] ?? '').replace(TITLES, '');
  if (wholeClause) return isChineseName(run, loose) ? run : undefined;
  for (const length of [4, 3, 2]) {
    const head = run.slice(0, length);
    if (head.length === length && isChineseName(head, loose && length === run.length)) {
      // Prefer the shortest reading that leaves a non-name character next: "周丽娟是" → 周丽娟.
      const next = run[length];
      if (next === undefined || NOT_IN_NAME.test(next) || length === 2) return head;
    }
  }
  return undefined;
}

/**
 * A name spelled out in a turn: "马路的马，春晓的晓，东西的东", "弓长张", "复姓欧阳". Gives the characters in
 * order, or undefined when the turn spells nothing.
 */
export function spelledName(clauses: readonly string[]): string | undefined {
  const chars: string[] = [];
  for (const clause of clauses) {
    const compound = /复姓(..)/.exec(clause)?.[1];
    const parts = Object.keys(BY_PARTS).find((p) => clause.includes(p + (BY_PARTS[p] ?? '')));
    const explained = /^(?:.是)?[\u4e00-\u9fff]{1,4}的([\u4e00-\u9fff])$/.exec(clause)?.[1];
    if (compound) chars.push(compound);
    else if (parts) chars.push(BY_PARTS[parts] ?? '');
    else if (explained) chars.push(explained);
  }
  const name = chars.join('');
  return name.length >= 2 && name.length <= 4 && HAN.test(name) && surnameOf(name) ? name : undefined;
}
