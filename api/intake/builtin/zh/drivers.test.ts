import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractDrivers } from './drivers.js';

const driversOf = (...lines: string[]) => extractDrivers(parseTurns(lines.join('\n')))?.value;

describe('extractDrivers', () => {
  it('takes the caller and the other driver, never the agent', () => {
    const drivers = driversOf(
      '客服：您好，我是客服方雨晴，请问怎么称呼？',
      '来电者：我叫秦海波。',
      '客服：对方司机叫什么名字？',
      '来电者：叫郝建军，他自己说的。',
    );
    expect(drivers).toEqual(['秦海波', '郝建军']);
  });

  it('writes a name explained character by character normally', () => {
    expect(driversOf('客服：您贵姓？', '来电者：口天吴，大海的海，明天的明。')).toEqual(['吴海明']);
  });

  it('leaves out passengers and police named beside the other driver', () => {
    const drivers = driversOf(
      '客服：请问您的姓名？',
      '来电者：鲁国栋。我老婆沈月坐在副驾。',
      '客服：对方驾驶人姓名？',
      '来电者：对方叫邱一鸣，处理的交警是熊志刚警官。',
    );
    expect(drivers).toEqual(['鲁国栋', '邱一鸣']);
  });

  it('keeps foreign names as written', () => {
    const latin = driversOf('客服：您怎么称呼？', '来电者：范小东。', '客服：对方司机叫什么？', '来电者：他叫Daniel Brooks，英国人。');
    expect(latin).toEqual(['范小东', 'Daniel Brooks']);
    const dotted = driversOf('客服：您怎么称呼？', '来电者：范小东。', '客服：对方司机叫什么？', '来电者：对方是个俄罗斯人，叫伊万·彼得罗夫。');
    expect(dotted).toEqual(['范小东', '伊万·彼得罗夫']);
  });

  it('lists only the caller when the other driver was never named', () => {
    expect(driversOf('客服：您的姓名？', '来电者：柯文博。', '客服：对方司机的信息有吗？', '来电者：没有，他直接开走了，只记了车牌。')).toEqual(['柯文博']);
  });

  it('names the relative who drove instead of the caller reporting for them', () => {
    const drivers = driversOf('客服：您怎么称呼？', '来电者：我叫齐大山，车是我儿子开的。', '客服：您儿子叫什么？', '来电者：他叫齐小川。');
    expect(drivers).toEqual(['齐小川']);
  });
});

describe('extractDrivers, a relative driving the caller’s car', () => {
  it('takes the relative named next, not the caller', () => {
    expect(driversOf('客服：您好，请讲。', '来电者：我是车主周国平，我儿子开我的车出了事，我替他报案。', '客服：驾驶人是？', '来电者：我儿子，周明。')).toEqual(
      ['周明'],
    );
  });
});

describe('extractDrivers, an officer named in the clause after the role', () => {
  it('leaves out "来了一位交警，叫…" even in a turn about the other party', () => {
    expect(
      driversOf(
        '客服：请问您怎么称呼？',
        '来电者：我叫林海涛。',
        '客服：对方驾驶人叫什么？',
        '来电者：叫孙丽娜。',
        '客服：有交警处理吗？',
        '来电者：有，来了一位交警，叫马国强，判了对方全责。',
      ),
    ).toEqual(['林海涛', '孙丽娜']);
  });
  it('strips 他叫, never takes an insurer, and names a husband who drove for his wife', () => {
    expect(
      driversOf(
        '客服：请问您的姓名？',
        '来电者：我叫韩秀梅。',
        '客服：请描述经过。',
        '来电者：前车司机是外国人，他叫米哈伊尔·索科洛夫。',
        '客服：后车驾驶员的姓名呢？',
        '来电者：叫蒋一鸣，他投保的是东海财险。',
      ),
    ).toEqual(['韩秀梅', '米哈伊尔·索科洛夫', '蒋一鸣']);
    expect(driversOf('客服：请问您怎么称呼？', '来电者：我叫严丽华，车是我丈夫贺志远开的。', '客服：对方司机叫什么？', '来电者：叫石磊。')).toEqual([
      '贺志远',
      '石磊',
    ]);
  });
});
