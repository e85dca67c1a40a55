// The words for a car's parts and for what happened to them, as callers and agents say them, each with the
// plain form a report uses. Body parts are deliberately absent: injuries are never damages.

export interface PartWord {
  readonly surface: string;
  /** The report's word for the part. */
  readonly part: string;
  /** Bare words like 门 and 轮 name a part only after a position (右前门, 右后轮). */
  readonly needsPosition?: boolean;
}

const PART_LIST: readonly (readonly [string, string, boolean?])[] = [
  ['安全气囊', '安全气囊'],
  ['气囊', '安全气囊'],
  ['保险杠', '保险杠'],
  ['杠', '保险杠', true],
  ['倒车雷达', '倒车雷达'],
  ['雷达', '倒车雷达'],
  ['倒车影像', '倒车摄像头'],
  ['摄像头', '摄像头'],
  ['后视镜', '后视镜'],
  ['反光镜', '后视镜'],
  ['倒车镜', '后视镜'],
  ['翼子板', '翼子板'],
  ['叶子板', '翼子板'],
  ['引擎盖', '引擎盖'],
  ['发动机盖', '引擎盖'],
  ['机盖', '引擎盖'],
  ['后备箱盖', '后备箱盖'],
  ['后备箱', '后备箱'],
  ['行李箱', '后备箱'],
  ['尾门', '尾门'],
  ['车门', '车门'],
  ['门把手', '门把手'],
  ['门', '门', true],
  ['挡风玻璃', '挡风玻璃'],
  ['车窗', '车窗'],
  ['玻璃', '玻璃'],
  ['天窗', '天窗'],
  ['大灯', '大灯'],
  ['前灯', '大灯'],
  ['头灯', '大灯'],
  ['尾灯', '尾灯'],
  ['雾灯', '雾灯'],
  ['转向灯', '转向灯'],
  ['灯', '灯', true],
  ['轮胎', '轮胎'],
  ['轮毂', '轮毂'],
  ['车轮', '车轮'],
  ['轮', '轮胎', true],
  ['车牌', '车牌'],
  ['牌照', '车牌'],
  ['水箱', '水箱'],
  ['散热器', '散热器'],
  ['中网', '中网'],
  ['格栅', '格栅'],
  ['底盘', '底盘'],
  ['油箱', '油箱'],
  ['车顶', '车顶'],
  ['裙边', '侧裙'],
  ['侧裙', '侧裙'],
  ['轮眉', '轮眉'],
  ['A柱', 'A柱'],
  ['B柱', 'B柱'],
];

/** Longest surfaces first, so 后视镜 is read before 门 or 后 could be. */
export const PART_WORDS: readonly PartWord[] = PART_LIST.map(([surface, part, needsPosition]) => ({ surface, part, needsPosition })).sort(
  (a, b) => b.surface.length - a.surface.length,
);

/** Harm as said → the report's word for it. The first that matches wins, so longer phrasings come first. */
export const HARM_WORDS: readonly (readonly [RegExp, string])[] = [
  [/关不上|关不了|合不上|无法关闭|关闭不了/, '无法关闭'],
  [/失灵|不响|没(?:有)?声音|声音都没有|一点声音|不工作|不亮了/, '失灵'],
  [/弹出|弹开/, '弹出'],
  [/漏水|滴水/, '漏水'],
  [/漏油/, '漏油'],
  [/爆胎|爆了|爆/, '爆胎'],
  [/凹陷|凹进去|凹了|凹|瘪/, '凹陷'],
  [/破裂/, '破裂'],
  [/破碎|碎/, '破碎'],
  [/开裂|裂开|裂|口子/, '开裂'],
  [/划痕|划伤|划了|道子/, '划痕'],
  [/刮花|刮伤|刮擦|擦伤|掉.{0,3}漆|蹭掉|刮掉|刮了|蹭花/, '刮花'],
  [/变形|翘起来|拱起来|鼓起来|歪了|瘪/, '变形'],
  [/脱落|掉了|撞掉|掉下来|干掉|飞了|没了/, '脱落'],
  [/断裂|断了|断/, '断裂'],
  [/破损|烂了|烂|破了/, '破损'],
  [/损坏|坏了|撞坏|坏/, '损坏'],
];

export const POSITION = /(左前|右前|左后|右后|前后|主驾驶?|副驾驶?|前|后|左|右)(?:边|面|侧|方)?/g;
