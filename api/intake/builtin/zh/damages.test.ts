import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractDamages } from './damages.js';

const damagesOf = (...lines: string[]) => extractDamages(parseTurns(lines.join('\n'))).value;

describe('extractDamages', () => {
  it('gives one item per part with its position, in report words', () => {
    expect(damagesOf('来电者：左后门凹进去一块，右边大灯也碎了。')).toEqual(['左后门凹陷', '右大灯破碎']);
  });

  it("prefixes another vehicle's damage with 对方车辆", () => {
    expect(damagesOf('来电者：我的车前保险杠裂了。她的车后备箱盖撞变形了。')).toEqual(['前保险杠开裂', '对方车辆后备箱盖变形']);
  });

  it('keeps a part said by the caller and restated by the agent once', () => {
    expect(damagesOf('来电者：右边后视镜给撞掉了。', '客服：右后视镜脱落，还有吗？', '来电者：没有了。')).toEqual(['右后视镜脱落']);
  });

  it('leaves out injuries and guesses', () => {
    expect(damagesOf('来电者：我脖子扭了，胳膊擦破了皮。引擎盖可能也有点问题，我没细看。车门凹了。')).toEqual(['车门凹陷']);
  });

  it('gives an empty list when nothing was damaged', () => {
    expect(damagesOf('客服：车有损坏吗？', '来电者：没有，一点印子都没有。')).toEqual([]);
  });

  it('puts damage on a vehicle named by its kind on the other vehicle', () => {
    expect(damagesOf('来电者：出租车右后门有点瘪。')).toEqual(['对方车辆右后门凹陷']);
  });
  it('keeps a list that opens on the other car on the other car', () => {
    expect(damagesOf('来电者：对方车呢？我不清楚。', '坐席：好的，对方车辆车门凹陷、后视镜脱落。')).toEqual(['对方车辆车门凹陷', '对方车辆后视镜脱落']);
    expect(damagesOf('来电者：后备箱盖也无法关闭了。')).toEqual(['后备箱盖无法关闭']);
  });
});
