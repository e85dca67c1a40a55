import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractLocation } from './location.js';

const locationOf = (...lines: string[]) => extractLocation(parseTurns(lines.join('\n')))?.value;

describe('extractLocation', () => {
  it("takes the agent's read-back, led by the city the caller named", () => {
    expect(locationOf('客服：在哪里发生的？', '来电者：在长沙，五一大道跟芙蓉路那个十字路口那里。', '客服：好的，五一大道与芙蓉路交叉口。')).toBe(
      '长沙五一大道与芙蓉路交叉口',
    );
  });

  it('prefers the precise place said after a vague one', () => {
    const location = locationOf('客服：事故地点？', '来电者：就我单位附近那块儿，我家附近那个路口。', '客服：具体哪条路？', '来电者：滨河路和光明街交叉口。');
    expect(location).toBe('滨河路与光明街交叉口');
  });

  it('keeps an expressway kilometre marker and a landmark the read-back left out', () => {
    const location = locationOf('客服：事故在哪？', '来电者：京昆高速往西安方向，K88+500，在一个服务区附近。', '客服：好的，京昆高速西安方向K88+500。');
    expect(location).toBe('京昆高速西安方向K88+500（服务区附近）');
  });

  it('tidies a car-park answer without a read-back', () => {
    expect(locationOf('客服：车停在什么位置？', '来电者：在银泰百货的地下停车场，负一层，E区。', '客服：好的。')).toBe('银泰百货地下停车场负一层E区');
  });

  it("never takes the agent's question as the place, and prefers the precise answer", () => {
    const location = locationOf(
      '客服：事故在哪里？',
      '来电者：在城东那一带吧。',
      '客服：能具体一点吗？哪条路或者哪个路口？',
      '来电者：是长江路和黄河路交叉口，我当时直行。',
      '客服：好的。经过是怎样的？',
    );
    expect(location).toBe('长江路与黄河路交叉口');
  });

  it('finds nothing when no place is said', () => {
    expect(locationOf('客服：您好。', '来电者：我想问一下保费。')).toBeUndefined();
  });

  it('drops the time and the speaker said before the place', () => {
    expect(locationOf('来电者：我上周六在华山路上，跟一辆面包车追尾了。')).toBe('华山路');
  });
});

describe('extractLocation, a vague answer pressed for detail', () => {
  it('takes the answer to "具体点" over "我们小区附近"', () => {
    expect(locationOf('客服：在哪儿？', '客户：就我们小区附近。', '客服：能说具体点吗？', '客户：合肥蜀山区长江西路，靠近地铁站西门。')).toBe(
      '合肥蜀山区长江西路靠近地铁站西门',
    );
  });
});

describe('extractLocation, adding to an earlier report', () => {
  it('takes the place the agent reads off the file and the caller confirms, not a hospital visit', () => {
    expect(
      locationOf(
        '客服：我这边看到是上周五，在成都市武侯区科华路与二环路交叉口的事故，对吗？',
        '来电者：对，就是那次。',
        '客服：还有什么要补充？',
        '来电者：我这两天脖子疼，去医院看了。',
      ),
    ).toBe('成都市武侯区科华路与二环路交叉口');
  });
  it('keeps a basement level code and the lift landmark from the read-back', () => {
    expect(
      locationOf(
        '客服：在哪个停车场？',
        '来电者：东湖那边，万象城的地下停车场，负三层，就是B3，D区那里，近电梯口。',
        '客服：万象城地下停车场B3层D区，电梯口附近。车损呢？',
      ),
    ).toBe('东湖万象城地下停车场B3层D区，电梯口附近');
  });
});
