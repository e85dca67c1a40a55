// Named streets inside a sentence that is told like a story ("I was stopped at the light at Northwest Market
// Street and 15th Avenue Northwest"): the story words say nothing about the place, the named streets do.
const NAME = String.raw`(?:\d+(?:st|nd|rd|th)|[A-Z][a-z]+)`;
const SUFFIX = String.raw`(?:Street|Avenue|Road|Lane|Boulevard|Drive|Way|Highway|Place|Crescent|Terrace|Parkway|Close|Row)`;
const COMPASS = String.raw`(?: (?:North|South|East|West|Northwest|Northeast|Southwest|Southeast)\b)?`;
const STREET = String.raw`(?:${NAME} ){1,4}${SUFFIX}\b${COMPASS}`;
// "the junction of X and Y in Canton, Cardiff": the crossing, and the district and town said right after it.
const SPAN = new RegExp(
  String.raw`(?:(?:the )?(?:junction|corner|intersection|crossroads) of )?${STREET}(?: (?:and|&) ${STREET})?(?:,? in ${NAME}(?: ${NAME})?(?:, ${NAME}(?= *[,.?!]|$))?)?`,
);

/** The named street or crossing said in a sentence, with the town after it, or undefined. */
export function streetSpan(sentence: string): string | undefined {
  return SPAN.exec(sentence)?.[0];
}

// Where the car is now (a tow yard, a garage, at home) or what an invoice says is not where it happened.
const AFTERWARDS = /\b(?:tow(?:ing)? yard|towed|recovery (?:yard|company)|invoice|job number|body ?shop|being repaired|(?:at|in) the garage now)\b/i;
export const isAfterwards = (sentence: string): boolean => AFTERWARDS.test(sentence);

// "Where's the car now?", "Where is the vehicle being kept?": a question about where the car is, not where
// the accident was.
export const asksWhereCarIs = (question: string): boolean =>
  /\bwhere(?:'s| is| are)\s+(?:the|your)\s+(?:car|vehicle|van|truck)\b(?:\s+(?:now|at the moment|being|kept|currently|today))/i.test(question);
