import { describe, expect, it } from 'vitest';
import { extractEnglish } from './extract-english.js';

const call = (transcript: string) => extractEnglish({ transcript, callDate: '2025-06-18', language: 'en' });

const INVENTED = [
  'Agent: Morning, claims, you are through to Hana. Can I take your name?',
  'Caller: Hi Hana. It is Rafael Quintero.',
  'Agent: And your policy number?',
  'Caller: C for Charlie, then eight, double two, oh, four, one.',
  'Agent: C-8-2-2-0-4-1.',
  'Caller: Yes.',
  'Agent: When and where did it happen?',
  'Caller: Yesterday evening, on Quarry Road by the Shell garage in Dunmore.',
  'Agent: And what happened?',
  'Caller: A van pulled out of a side road and hit my front wing.',
  'Agent: Did you get the driver’s name?',
  'Caller: Yes, his name was Piotr Zielinski.',
  'Agent: What damage is there?',
  'Caller: The front wing is dented and the headlight is cracked.',
].join('\n');

describe('extractEnglish', () => {
  it('drafts every field of an invented call', () => {
    const { draft } = call(INVENTED);
    expect(draft.policyNumber).toBe('C822041');
    expect(draft.accidentDate).toBe('2025-06-17');
    expect(draft.drivers).toEqual(['Rafael Quintero', 'Piotr Zielinski']);
    expect(draft.location).toContain('Quarry Road');
    expect(draft.damages).toEqual(['front wing dented', 'headlight cracked']);
    expect(draft.callReason).toBe('Report a car accident');
    expect(draft.summary).toContain('Piotr Zielinski');
  });
  it('points each field’s evidence at the transcript', () => {
    const { evidence } = call(INVENTED);
    const span = evidence.policyNumber![0]!;
    expect(INVENTED.slice(span.start, span.end)).toMatch(/C for Charlie/);
  });
  it('gives every found field a confidence between 0 and 1', () => {
    const { draft, confidence } = call(INVENTED);
    for (const field of Object.keys(draft)) expect(confidence[field as keyof typeof confidence]).toBeGreaterThanOrEqual(0);
    for (const value of Object.values(confidence)) expect(value).toBeLessThanOrEqual(1);
  });
  it('never throws on empty, unlabelled, huge or strange input', () => {
    const inputs = [
      '',
      '\n\n',
      'no labels at all, just words and 12345 numbers',
      'Caller: '.repeat(20_000),
      '\u0000\uFFFF\uD800 🚗💥 Ｃａｌｌｅｒ：ｘ',
      'Agent: where?\nCaller: ' + 'a'.repeat(100 * 1024),
    ];
    for (const transcript of inputs) expect(() => call(transcript)).not.toThrow();
    expect(call('').draft).toEqual({});
  });
  it('drafts nothing it cannot find when the call date is malformed', () => {
    expect(extractEnglish({ transcript: 'Caller: It was yesterday.', callDate: 'soon', language: 'en' }).draft.accidentDate).toBeUndefined();
  });
});
