import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { extractPolicyNumber } from './policy-number.js';

const policyOf = (...lines: string[]) => extractPolicyNumber(parseTurns(lines.join('\n')))?.value;

describe('policy corrections', () => {
  it('patches a digit by position', () => {
    expect(policyOf('客服：保单号？', '来电者：五五三零，二七一九。', '客服：55302719，对吗？', '来电者：不对，倒数第二位是八。')).toBe('55302789');
    expect(policyOf('客服：保单号？', '来电者：五五三零，二七一九。', '来电者：哦，最后一位是6。')).toBe('55302716');
  });
  it('takes "不是1，是8" as the new last digit', () => {
    expect(policyOf('客服：保单号？', '来电者：四四一二，零九三一。', '客服：44120931。', '来电者：不是1，是8。')).toBe('44120938');
  });
  it('applies a correction after the read-back was confirmed', () => {
    expect(policyOf('客服：保单号？', '来电者：四四一二，零九三一。', '客服：44120931，对吗？', '来电者：对。哦不对，最后一位是8。')).toBe('44120938');
  });
  it('takes "确认无误" as a confirmation and ignores corrections about other things', () => {
    const policy = policyOf(
      '客服：保单号？',
      '来电者：字母Q、R，后面是七七六六，五五四四。',
      '客服：QR77665544，请确认。',
      '来电者：确认无误。',
      '客服：事故地点在K2390公里桩？',
      '来电者：更正一下，是K2309，不是2390。',
    );
    expect(policy).toBe('QR77665544');
  });
});

describe('policy corrections away from the policy', () => {
  it('ignores a ranking such as 排在第二位 in a later turn', () => {
    const policy = policyOf(
      '客服：保单号？',
      '来电者：六六五五，四四三三。',
      '客服：66554433，请您确认。',
      '来电者：确认无误。',
      '客服：请描述经过。',
      '来电者：我排在第二位，后面一辆车没刹住。',
    );
    expect(policy).toBe('66554433');
  });
});
