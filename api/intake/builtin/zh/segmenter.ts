// The jieba segmenter, created on first use: reading and loading its dictionary takes about a tenth of a
// second, so no import pays for it (the dictionary module reads its file when loaded, hence the late require)
// and every call after the first reuses it.
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

export interface TaggedWord {
  readonly word: string;
  readonly tag: string;
}

export interface Segmenter {
  tag(text: string): TaggedWord[];
}

let shared: Segmenter | undefined;

export function segmenter(): Segmenter {
  if (!shared) {
    const { dict } = createRequire(import.meta.url)('@node-rs/jieba/dict.js') as { dict: Uint8Array };
    const jieba = Jieba.withDict(dict);
    shared = { tag: (text) => jieba.tag(text) };
  }
  return shared;
}

/** Whether the text is one dictionary word that is not a person's name (车主, 高速, 司机). */
export function isCommonWord(text: string): boolean {
  const words = segmenter().tag(text);
  const [only] = words;
  return words.length === 1 && only !== undefined && !only.tag.startsWith('nr');
}

/** Whether the text is made only of place names (北京, 杭州西湖区), as a city before a street is. */
export function isPlaceName(text: string): boolean {
  const words = segmenter().tag(text);
  return words.length > 0 && words.length <= 3 && words.every((w) => w.tag === 'ns' || /[省市区县]$/.test(w.word));
}
