// The built-in drafter: rules over the transcript's turns with libraries that ship their data in the npm
// package (chrono-node, compromise, @node-rs/jieba), so it runs offline and nothing is downloaded.
import type { Extractor } from '../extractor.js';
import { extractEnglish } from './en/extract-english.js';
import { extractChinese } from './zh/extract-chinese.js';

export function createBuiltinExtractor(): Extractor {
  return {
    name: 'builtin',
    extract: async (input) => (input.language === 'zh' ? extractChinese(input) : extractEnglish(input)),
  };
}
