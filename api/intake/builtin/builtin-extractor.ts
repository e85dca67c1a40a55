// The built-in drafter: rules over the transcript's turns with libraries that ship their data in the npm
// package (chrono-node, compromise, @node-rs/jieba), so it runs offline and nothing is downloaded.
import type { Extractor } from '../extractor.js';
import { extractEnglish } from './en/extract-english.js';
import { extractChinese } from './zh/extract-chinese.js';
import { segmenter } from './zh/segmenter.js';

const WARM_UP_CALL = {
  language: 'en' as const,
  callDate: '2026-01-15',
  transcript: [
    'Agent: Your name, please?',
    'Caller: my name is alex smith, policy five five one two nine oh.',
    'Agent: When was it?',
    'Caller: On the 3rd of January, on the High Street near junction 4; the bumper is cracked.',
  ].join('\n'),
};

export function createBuiltinExtractor(): Extractor {
  return {
    name: 'builtin',
    extract: async (input) => (input.language === 'zh' ? extractChinese(input) : extractEnglish(input)),
    warm: () => {
      segmenter();
      // compromise and chrono-node build their tables on first use: one small call of each kind pays for it.
      extractEnglish(WARM_UP_CALL);
    },
  };
}
