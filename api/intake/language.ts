import type { IntakeLanguage } from './extractor.js';

const HAN = /\p{Script=Han}/gu;
const LATIN_WORD = /\p{Script=Latin}+/gu;

/** The call's language when the client did not say: Chinese when Han characters outnumber Latin words. */
export function detectLanguage(transcript: string): IntakeLanguage {
  const han = transcript.match(HAN)?.length ?? 0;
  const latinWords = transcript.match(LATIN_WORD)?.length ?? 0;
  return han > latinWords ? 'zh' : 'en';
}
