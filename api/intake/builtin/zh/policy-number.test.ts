import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractPolicyNumber } from './policy-number.js';

const policyOf = (...lines: string[]) => extractPolicyNumber(parseTurns(lines.join('\n')))?.value;

describe('extractPolicyNumber', () => {
  it('reads letters one by one and Chinese digit groups, 幺 as 1 and 两 as 2', () => {
    expect(policyOf('客服：请报一下保单号。', '来电者：K、M，然后幺两三四，五六七八。')).toBe('KM12345678');
  });

  it('takes the agent read-back the caller confirmed', () => {
    expect(
      policyOf('客服：您的保单号？', '来电者：开头是两个字母，T、W，就是台湾的缩写，然后七七八八，九九零零。', '客服：TW 7788 9900，对吗？', '来电者：对的。'),
    ).toBe('TW77889900');
  });

  it('lets the last confirmed read-back win after a correction', () => {
    const policy = policyOf(
      '客服：保单号是多少？',
      '来电者：五五六六，七七八八，一二。',
      '客服：5566 7788 12，对吗？',
      '来电者：不对，最后是二一。',
      '客服：那就是5566 7788 21。',
      '来电者：对，没错。',
    );
    expect(policy).toBe('5566778821');
  });

  it('applies a tail correction said in the same turn when nothing is read back', () => {
    expect(policyOf('客服：请提供保单号。', '来电者：保单号是九一八二，七三，六四，零五。哦不对，最后是零三，不是零五。')).toBe('9182736403');
  });

  it('ignores staff numbers, claim references and phone numbers', () => {
    const policy = policyOf(
      '客服：您好，我是客服小周，工号884512。',
      '来电者：我的手机号是13912345678。保单号是三三四四，五五六六，七七。',
      '客服：好的，报案号是2026010199887。',
    );
    expect(policy).toBe('3344556677');
  });

  it("ignores the other driver's policy number", () => {
    const policy = policyOf('客服：您的保单号？', '来电者：二四六八，一三五七，九九。', '客服：对方的呢？', '来电者：他的保单号是八八八八，七七七七，六六。');
    expect(policy).toBe('2468135799');
  });

  it('takes the 商业险 number when the agent asks for it, not the 交强险 one', () => {
    const policy = policyOf('客服：请提供商业险的保单号。', '来电者：交强险的是一二一二一二一二，商业险的是三四三四三四三四。');
    expect(policy).toBe('34343434');
  });

  it('keeps a hyphen the caller says as 杠 between groups', () => {
    expect(policyOf('客服：保单号？', '来电者：GX杠二零二六杠四四五五。')).toBe('GX-2026-4455');
  });

  it('finds nothing when no number long enough is said', () => {
    expect(policyOf('客服：保单号？', '来电者：我忘带了，回头再报。')).toBeUndefined();
  });
});
