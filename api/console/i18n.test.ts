import { describe, expect, it } from 'vitest';
import { chooseLanguage, translateValidation, translator } from './i18n.js';

describe('console language', () => {
  it('follows Accept-Language by q-value, and English when nothing matches', () => {
    expect(chooseLanguage(undefined, 'zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(chooseLanguage(undefined, 'en-GB,en;q=0.9,zh;q=0.8')).toBe('en');
    expect(chooseLanguage(undefined, 'fr-FR,zh-TW;q=0.5,en;q=0.3')).toBe('zh');
    expect(chooseLanguage(undefined, 'de, fr;q=0.9')).toBe('en');
    expect(chooseLanguage(undefined, 'zh;q=0, en;q=0.1')).toBe('en');
    expect(chooseLanguage(undefined, undefined)).toBe('en');
  });

  it('lets the cookie of the language switch win over Accept-Language, and ignores a bad cookie', () => {
    expect(chooseLanguage('zh', 'en')).toBe('zh');
    expect(chooseLanguage('en', 'zh-CN')).toBe('en');
    expect(chooseLanguage('klingon', 'zh-CN')).toBe('zh');
  });

  it('fills parameters into messages', () => {
    expect(translator('en')('listTitle', { date: '2026-11-21' })).toBe('Reports of 2026-11-21');
    expect(translator('zh')('listTitle', { date: '2026-11-21' })).toBe('2026-11-21 的报告');
  });

  it("translates the schema's validation messages, numbers kept", () => {
    expect(translateValidation('zh', 'must be at most 500 characters')).toBe('最多 500 个字符');
    expect(translateValidation('zh', 'must be at most {n} characters')).toBe('最多 {n} 个字符');
    expect(translateValidation('zh', 'must not be empty')).toBe('不能为空');
    expect(translateValidation('en', 'must not be empty')).toBe('must not be empty');
    expect(translateValidation('zh', 'something new')).toBe('something new');
  });
});
