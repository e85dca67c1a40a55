import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language.js';
import { siteToday } from './schema.js';

describe('the day of a call drafted without one', () => {
  it("is today in the site's time zone, not the server's", () => {
    const evening = new Date('2026-11-30T18:00:00Z');
    expect(siteToday('Asia/Shanghai', evening)).toBe('2026-12-01');
    expect(siteToday('America/New_York', evening)).toBe('2026-11-30');
    expect(siteToday('UTC', evening)).toBe('2026-11-30');
  });
});

describe('the language of a call sent without one', () => {
  it('is Chinese when Han characters outnumber Latin words, else English', () => {
    expect(detectLanguage('客服：您好，请问有什么可以帮您？\n来电者：我的车被撞了，车牌京A12345。')).toBe('zh');
    expect(detectLanguage('Agent: Hello.\nCaller: I had a crash near 中山路 yesterday.')).toBe('en');
    expect(detectLanguage('')).toBe('en');
  });
});
