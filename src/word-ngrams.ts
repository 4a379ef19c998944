// Words and word n-grams as the statistical evaluators (repetition, verbatim-copy) compare them:
// lower-cased, punctuation stripped, n-grams as short exact keys.

// Han, Hiragana and Katakana are written without spaces between words; one character is roughly one morpheme,
// so each counts as a word. Other scripts (Thai included) split at whatever is not a letter, mark or digit.
// Apostrophes inside a word are dropped rather than split on, so "don't" and "dont" compare equal.
const SPACELESS = String.raw`\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}`;
const SPACED_LETTER = String.raw`[[\p{L}\p{M}\p{N}]--[${SPACELESS}]]`;
// Built with RegExp because the `v` flag (set subtraction) is newer than the compile target; Node 20 has it.
const WORD = new RegExp(String.raw`[${SPACELESS}]|${SPACED_LETTER}+(?:['’]${SPACED_LETTER}+)*`, 'gv');

/** Lower-cased words of `text`, punctuation and whitespace dropped. */
export function tokenizeWords(text: string): string[] {
  const words = text.toLowerCase().match(WORD);
  if (words === null) return [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.includes("'") || word.includes('’')) words[i] = word.replace(/['’]/g, '');
  }
  return words;
}

/**
 * Gives each distinct word a small integer id, adding new words to `vocabulary`.
 * Comparing n-grams as ids (see encodeWordIds) avoids joining thousands of word strings per candidate.
 */
export function internWords(words: readonly string[], vocabulary: Map<string, number>): number[] {
  const ids = new Array<number>(words.length);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let id = vocabulary.get(word);
    if (id === undefined) {
      id = vocabulary.size;
      vocabulary.set(word, id);
    }
    ids[i] = id;
  }
  return ids;
}

/** Code units per word in an encoded id string. */
const UNITS_PER_WORD = 2;

/**
 * Packs word ids into a string, two UTF-16 code units per id (ids below 2^32), so that the n-gram starting at
 * word `i` is `ngramKey(encoded, i, n)`: a short string that a Set or Map compares exactly and quickly.
 */
export function encodeWordIds(ids: readonly number[]): string {
  let encoded = '';
  for (const id of ids) encoded += String.fromCharCode(id >>> 16, id & 0xffff);
  return encoded;
}

export function ngramKey(encoded: string, start: number, n: number): string {
  return encoded.slice(start * UNITS_PER_WORD, (start + n) * UNITS_PER_WORD);
}
