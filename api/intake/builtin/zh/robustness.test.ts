import { describe, expect, it } from 'vitest';
import { extractChinese } from './extract-chinese.js';

const draftOf = (transcript: string, callDate = '2026-05-05') => extractChinese({ transcript, callDate, language: 'zh' }).draft;

describe('extractChinese on awkward input', () => {
  it('gives an empty draft for an empty transcript', () => {
    expect(draftOf('')).toEqual({});
  });

  it('reads a transcript without speaker labels', () => {
    const draft = draftOf('你好我要报案 昨天在人民路上被追尾了 保单号是一二三四五六七八\n我叫王小明');
    expect(draft.accidentDate).toBe('2026-05-04');
    expect(draft.policyNumber).toBe('12345678');
  });

  it('survives a 100 KiB transcript', () => {
    const line = '来电者：嗯嗯，那个，就是说，我昨天在路上，啊，一二三，幺幺幺，ABC，哈哈哈哈。\n';
    const draft = draftOf(line.repeat(Math.ceil(102_400 / line.length)));
    expect(draft.summary).toBeTypeOf('string');
  });

  it('survives odd unicode and a bad call date', () => {
    const odd = '客服：\u0000\u200b😀𠀀\uD800：：：\n来电者：（（（，，，。。。\r\n：\n\t\t\n坐席：𝔸𝔹ℂ 12号\uFFFD';
    expect(() => draftOf(odd, 'not-a-date')).not.toThrow();
    expect(draftOf(odd, 'not-a-date').accidentDate).toBeUndefined();
  });

  it('points every evidence span inside the transcript', () => {
    const transcript = '客服：请问您的姓名和保单号？\n来电者：我叫苗青山，保单号是七七八八，九九零零，一一。前天在中心大道被追尾了，后保险杠裂了。';
    const { evidence } = extractChinese({ transcript, callDate: '2026-05-05', language: 'zh' });
    for (const span of Object.values(evidence).flat()) {
      expect(span.start).toBeGreaterThanOrEqual(0);
      expect(span.end).toBeLessThanOrEqual(transcript.length);
      expect(span.end).toBeGreaterThan(span.start);
    }
  });
});
