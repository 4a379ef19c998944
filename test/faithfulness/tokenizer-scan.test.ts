// tokenize scans most text by a table of character classes instead of running its regex at every word; the
// tokens must be exactly those the regex gives, offsets and flags included.
import { describe, expect, it } from 'vitest';
import { tokenize, tokenizeWithPattern } from '../../src/tokenize.js';
import { FAITHFUL, SOURCE } from './fixtures.js';
import { seededRandom } from '../../scripts/bench-corpus.js';


// Pieces that exercise each part of the pattern: numbers with separators and suffixes that must back off,
// contractions, apostrophes before non-letters, combining marks, other scripts, and astral characters.
const PIECES = [
  'The', 'council', "didn't", "won't", "can’t", "Johnson's", "rock'n'roll", "'quoted'", "o'", "l'5", 'café', 'cafe\u0301',
  '\u0301alone', '1,000', '1,000abc', '1990s', '1990sx', '3rd', '4th.', '$5bn', '£3.2m', '0,712', '12.5.3', 'x2', '2x', 'A4',
  'twenty-seven', '5 million', 'Müller', 'İstanbul', 'Ελλάδα', 'Москва', '東京都', 'ไทย', 'مرحبا', '١٢٣', '—', '…', '"', '“', '(', ')',
  '-', '*', '•', '\n', '\n\n', ' ', '  ', '\t', "n't", "isn'T", 'O’Neill’s', '5’s', '𝔘𝔫𝔦', '😀', 'a\u00a0b',
];

describe('tokenize scanning', () => {
  it('gives the regex tokeniser\'s tokens on real text', () => {
    for (const text of [SOURCE, FAITHFUL, SOURCE.toLowerCase(), `- ${FAITHFUL}\n- ${SOURCE}`]) expect(tokenize(text)).toEqual(tokenizeWithPattern(text));
  });

  it('gives the regex tokeniser\'s tokens on random mixtures of awkward pieces', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 2000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 12) }, () => PIECES[Math.floor(random() * PIECES.length)] as string);
      const text = parts.join(random() < 0.5 ? ' ' : '');
      expect(tokenize(text), JSON.stringify(text)).toEqual(tokenizeWithPattern(text));
    }
  });
});
