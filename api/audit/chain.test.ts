import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storableText } from './chain.js';

// What a stored text field is, spelled out the slow way: every entry ever hashed was made by it.
const reference = (value: string, max: number) =>
  value
    // eslint-disable-next-line no-control-regex -- control characters are what it replaces
    .replace(/[\u0000-\u001f\u007f]/g, '?')
    .slice(0, max)
    .toWellFormed();

describe('storableText', () => {
  it('gives exactly what replacing control characters, cutting to the limit and mending lone surrogates gives, for any text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', '\u0000', '\u001f', '\u007f', '\n', '\ud800', '\udc00', '😀', 'é'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 45 }), (value, max) => {
        expect(storableText(value, max)).toBe(reference(value, max));
      }),
      {
        numRuns: 2000,
      },
    );
  });

  it('returns a field that is already storable as it is', () => {
    expect(storableText('report.read')).toBe('report.read');
    expect(storableText('x'.repeat(200))).toHaveLength(200);
    expect(storableText('x'.repeat(201))).toHaveLength(200);
    expect(storableText('a\u0000b')).toBe('a?b');
  });
});
