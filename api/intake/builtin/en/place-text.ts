// Rewrites of a place phrase as callers say it into the way a report writes it: numbers said in words after
// a bay, level, exit or ZIP become digits ("bay two hundred and seventeen" → "bay 217", "Zip's
// oh-two-one-three-four" → "02134"), "where X meets Y" becomes "Junction of X and Y", and chatter tacked on the end ("if you need it", "I looked it up") goes.
import { spokenRuns } from './numbers.js';

const NUMBER_WORD =
  '(?:zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|double|triple)';
const SPOKEN_NUMBER = `${NUMBER_WORD}(?:(?:[\\s-]+|\\s+and\\s+)${NUMBER_WORD})*`;
// Words after which a number names a place: "bay", "level", "exit", "gate", "marker", "number".
const NUMBERED = new RegExp(
  `\\b(junction|jct|exit|level|floor|deck|marker|mile marker|gate|bay|space|spot|stand|route|highway|interstate|number|unit|pillar)\\s+(${SPOKEN_NUMBER})\\b`,
  'gi',
);
// "Zip's oh-two-one-three-four", "the zip code is nine oh two one oh": only the code is part of the place.
const SPOKEN_CODE = new RegExp(`\\b(?:the\\s+)?(?:zip|zip code|pin code|pin)(?:['’]s|\\s+is|\\s+was)?\\s+(${SPOKEN_NUMBER})\\b`, 'gi');
const WRITTEN_CODE = /\b(?:the\s+)?(?:zip|zip code|postcode|post code|pin code)(?:['’]s|\s+is|\s+was)\s+(?=[A-Z0-9])/gi;
// "where the Fulham Road meets Lisle Street", "where Elm Street crosses Oak Avenue".
const MEETS = /\b(?:right |just )?(?:at |on )?where (?:the )?(.+?) (?:meets|crosses|joins|runs into) (?:the )?(.+?)(?=,|$)/i;
// Chatter after the place: "if you need it", "if that helps", "I look it up on the map".
const CHATTER =
  /\s*\b(?:if (?:you need (?:it|that|them)|that helps|it helps|that's any help|that's useful)|i (?:think|reckon|believe)|i looked? it up(?: on [\w ]+)?|or something(?: like that)?)\b[^,]*/gi;

/** The digits a run of number words stands for ("two hundred and seventeen" → "217"). */
function digitsOf(words: string): string | undefined {
  const value = spokenRuns(words)
    .map((r) => r.value.replace(/-/g, ''))
    .join('');
  return /^\d+$/.test(value) ? value : undefined;
}

/** One clause of a place rewritten as a report writes it. */
export function reportClause(clause: string): string {
  let text = clause.replace(CHATTER, '').trim();
  text = text.replace(SPOKEN_CODE, (m, words: string) => digitsOf(words) ?? m);
  text = text.replace(WRITTEN_CODE, '');
  text = text.replace(NUMBERED, (m, word: string, words: string) => {
    const digits = digitsOf(words);
    return digits ? `${word} ${digits}` : m;
  });
  const meets = MEETS.exec(text);
  if (meets) {
    const [whole, first = '', second = ''] = meets;
    const junction = `junction of ${first.trim()} and ${second.trim()}`;
    text = text.slice(0, meets.index).trim() ? text.replace(whole, junction) : junction.replace(/^j/, 'J');
  }
  return text;
}

/** A place phrase of comma-separated clauses, each rewritten, with empty ones dropped. */
export function reportPlace(text: string): string {
  return text
    .split(/[.?!]*,\s*|[.?!]+(?:\s+|$)/)
    .map(reportClause)
    .filter((c) => c !== '')
    .join(', ');
}
