// forEachPiece must cut exactly where cl100k_base's pattern does: a piece boundary in the wrong place changes
// the token count only sometimes (the two halves may encode to as many tokens as the whole), so the pieces
// themselves are compared with the pattern's matches, over texts built from every class the pattern tells apart.
import { describe, expect, it } from 'vitest';
import { forEachPiece } from '../src/token-pieces.js';
import { CL100K_PIECES } from '../src/tokens.js';
import { seededRandom } from '../scripts/bench-corpus.js';

function patternPieces(text: string): string[] {
  return [...text.matchAll(new RegExp(CL100K_PIECES.source, CL100K_PIECES.flags))].map((m) => m[0]);
}

function scannedPieces(text: string): string[] | null {
  const pieces: string[] = [];
  return forEachPiece(text, (start, end) => pieces.push(text.slice(start, end))) ? pieces : null;
}

// Runs of these make every alternative of the pattern, and the backtracking between them, happen often.
const PARTS = [
  'a', 'Zo', 'word', 'é', 'ß', 'ſ', 'Д', '日本', 'ا', 'क', '\u0301', '\u0308', // letters, and marks (not letters)
  '1', '23', '4567', '٣', '１', '½', '²', // numbers
  ' ', '  ', '\t', '\u00a0', '\u3000', '\u2003', '\u0085', '\u2028', '\u202f', '\ufeff', '\u200b', // spaces, and two that are not
  '\n', '\r', '\r\n', '\n\n', ' \n ', // newlines
  "'", "'s", "'S", "'ſ", "'t", "'re", "'RE", "'rE", "'ve", "'ll", "'LL", "'m", "'d", "'x", "'", // contractions
  '.', ',', '!?', '—', '(', ')', '"', '“', '…', '$', '%', '-', '_', '#', '<|endoftext|>', // other
];

describe('forEachPiece', () => {
  it('cuts prose, numbers, contractions and whitespace runs as the pattern does', () => {
    const texts = [
      '',
      'The bridge in Kraków was rebuilt in 1952, after the flood; it carried 12,500 vehicles a day.',
      "I'm sure they'RE here, we'Ve seen it, she'LL go, it'S done, he'D know, don'T, 'ſ and 'Ll and 'sun",
      'a  b   c    \n\n\n   d\r\n\r\n  e \t\t f   ',
      '   leading and trailing   ',
      ' \n',
      '\n \n  x',
      '  !!\n\nnext',
      ' $100 and (word) "quoted"',
      'x\u0085y\u00a0z\u3000w\ufeffv\u2028u',
      'naïve café — “quoted” … ellipsis; cafe\u0301',
      '日本語のテキストと한국어 문장, и русский текст, और हिन्दी।',
      '1234567890 12,345.678 ٣٤٥٦ １２３４ ½²',
    ];
    for (const text of texts) expect(scannedPieces(text), JSON.stringify(text)).toEqual(patternPieces(text));
  });

  it('cuts thousands of random texts as the pattern does', () => {
    const random = seededRandom(7);
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const parts = 1 + Math.floor(random() * 30);
      for (let i = 0; i < parts; i++) text += PARTS[Math.floor(random() * PARTS.length)];
      expect(scannedPieces(text), JSON.stringify(text)).toEqual(patternPieces(text));
    }
  });

  it('gives the text back to the pattern when it has a surrogate, paired or not', () => {
    for (const text of ['emoji 😀 here', 'math 𝔘𝔫𝔦', 'lone \ud800 high', 'lone \udc00 low', '😀']) {
      expect(scannedPieces(text), JSON.stringify(text)).toBeNull();
    }
  });
});
