// Folding text for search: case, accents and apostrophes ignored alike.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { folded } from '#shared/core/visible.ts';

const APOSTROPHES = [
  "'",
  '\u2019',
  '\u2018',
  '\u201B',
  '\u02BC',
  '\u02BB',
  '\u2032',
  '`',
  '\u00B4',
  '\uFF07',
];

describe('folded', () => {
  it.each([
    ['Zoë', 'zoe'],
    ['SIÂN', 'sian'],
    ['O’Brien', "o'brien"],
    ['Siân ap Gruffydd ʼr Hen', "sian ap gruffydd 'r hen"],
    ['D´Arcy', "d'arcy"],
  ])('folds %s to %s', (text, expected) => {
    expect(folded(text)).toBe(expected);
  });

  it('folds any apostrophe to the same text as any other', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        fc.constantFrom(...APOSTROPHES),
        fc.constantFrom(...APOSTROPHES),
        (before, after, one, other) => {
          expect(folded(`${before}${one}${after}`)).toBe(folded(`${before}${other}${after}`));
        },
      ),
    );
  });
});
