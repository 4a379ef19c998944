import { get_encoding } from 'tiktoken';
import { describe, expect, it } from 'vitest';
import { countTokens } from '../src/tokens.js';
import { seededRandom } from '../scripts/bench-corpus.js';

// countTokens counts tiktoken's pieces one at a time (and remembers them); whatever the text, the count must be
// the one tiktoken gives for the whole text, or chunks could pass the model's context.
const reference = get_encoding('cl100k_base');
const tiktokenCount = (text: string): number => reference.encode(text, [], []).length;


// Characters from every class the splitting pattern distinguishes, including the ones where JavaScript's and
// Rust's notions differ (U+0085, U+FEFF, ſ) and scripts whose letters and digits are not ASCII.
const ALPHABET = [
  ...'abcxyzABCXYZ', ...'0123456789', ...' \t\n\r\v\f', "'", "'", "'", ...'sStTmMdDrReEvVlLſ', ...'.,;:!?-—()[]{}<>|/\\"“”‘’…$%&*+=_#@~^`',
  '\u0085', '\u00a0', '\u1680', '\u2003', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u200b',
  ...'éüßøłğİıçñ', ...'ДЖЯжяё', ...'αβΩ', ...'日本語中文한국어', ...'العربية', ...'हिन्दी', ...'ไทย', ...'٣٤٥', ...'１２３ＡＢ',
  '\u0301', '\u0308', '😀', '👍🏽', '🇫🇷', '𝔘', '\ud800', '\udc00',
];

function randomText(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return text;
}

describe('countTokens', () => {
  it('is 0 for the empty string and counts ordinary prose as tiktoken does', () => {
    expect(countTokens('')).toBe(0);
    const prose = 'The bridge in Kraków was rebuilt in 1952, after the flood; it carried 12,500 vehicles a day.';
    expect(countTokens(prose)).toBe(tiktokenCount(prose));
  });

  it('agrees with tiktoken on contractions, whitespace runs, numbers and special-token text', () => {
    const cases = [
      "I'm sure they'RE here, we'Ve seen it, she'LL go, it'S done, he'D know, don'T, 'ſ and 'Ll",
      'a  b   c    \n\n\n   d\r\n\r\n  e \t\t f   ',
      '   leading and trailing   ',
      '\n\n\n',
      '1234567890 12,345.678 ٣٤٥٦ １２３４',
      'x\u0085y\u00a0z\u3000w\ufeffv\u2028u',
      'before <|endoftext|> after <|fim_prefix|>',
      'naïve café — “quoted” ‘single’ … ellipsis',
      '日本語のテキストと한국어 문장, и русский текст, और हिन्दी।',
      'emoji 😀👍🏽🇫🇷 and math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
      'lone \ud800 surrogate \udc00 here',
      'a'.repeat(300),
    ];
    for (const text of cases) expect(countTokens(text), JSON.stringify(text)).toBe(tiktokenCount(text));
  });

  it('agrees with tiktoken on thousands of random mixed-script texts', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 3000; i++) {
      const text = randomText(random, 1 + Math.floor(random() * 120));
      expect(countTokens(text), JSON.stringify(text)).toBe(tiktokenCount(text));
    }
  });

  it('gives the same count for a text counted again (remembered pieces are not stale)', () => {
    const text = 'The same sentence, counted twice, must give the same answer both times.';
    const first = countTokens(text);
    expect(countTokens(text)).toBe(first);
    expect(first).toBe(tiktokenCount(text));
  });
});
