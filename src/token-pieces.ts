// Where cl100k_base's splitting pattern cuts a text into pieces, found by a scan over code units instead of the
// regular expression: the same pieces, without a match object per piece. Counting tokens (what `plan` and
// chunking spend most of their time on) walks every piece of every document, and the regex engine's per-match
// overhead was most of that walk.
//
// The pattern (CL100K_PIECES in tokens.ts) tries, at each position, these alternatives in order; the first that
// matches gives the piece:
//   1. 's 't 'm 'd 're 've 'll (either case, and ſ for s)
//   2. one character that is not \r, \n, a letter or a number, if a letter follows; then the run of letters
//   3. one to three numbers
//   4. an optional ASCII space, a run of characters that are not whitespace, letters or numbers, then newlines
//   5. whitespace up to and including the last \r or \n of the whitespace run
//   6. a whitespace run, less its last character when something other than whitespace follows it
//   7. a whitespace run
// Every character starts some alternative (a letter 2, a number 3, whitespace 7, anything else 4), so the
// pieces tile the text.

/**
 * Unicode White_Space as a regex character class body: what the Rust regex of tiktoken means by `\s` (JavaScript's
 * `\s` adds U+FEFF and lacks U+0085). tokens.ts spells the pattern's `\s` with it; the scan classifies with it.
 */
export const WHITE_SPACE_CLASS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const LETTER = 1;
const NUMBER = 2;
const SPACE = 4;
const NEWLINE = 8;
const OTHER = 16;
const SURROGATE = 32;

// Per code unit, its class; 0 until first met.
const classes = new Uint8Array(0x10000);
const IS_WHITE_SPACE = new RegExp(`^[${WHITE_SPACE_CLASS}]$`, 'u');
const IS_LETTER = /^\p{L}$/u;
const IS_NUMBER = /^\p{N}$/u;

function classOf(code: number): number {
  let known = classes[code] as number;
  if (known === 0) {
    const char = String.fromCharCode(code);
    if (code >= 0xd800 && code <= 0xdfff) known = SURROGATE;
    else if (code === 0x0a || code === 0x0d) known = SPACE | NEWLINE;
    else if (IS_WHITE_SPACE.test(char)) known = SPACE;
    else if (IS_LETTER.test(char)) known = LETTER;
    else if (IS_NUMBER.test(char)) known = NUMBER;
    else known = OTHER;
    classes[code] = known;
  }
  return known;
}

const APOSTROPHE = 0x27;

/** Lower-cased ASCII letter of a code unit, with ſ (U+017F) as s; 0 for anything else. */
function contractionLetter(code: number): number {
  if (code === 0x17f) return 0x73;
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) ? code | 0x20 : 0;
}

/** End of a contraction starting at `at` (an apostrophe), or -1. */
function contractionEnd(text: string, at: number): number {
  const first = contractionLetter(text.charCodeAt(at + 1));
  if (first === 0x73 || first === 0x74 || first === 0x6d || first === 0x64) return at + 2; // s t m d
  const second = contractionLetter(text.charCodeAt(at + 2));
  if ((first === 0x72 && second === 0x65) || (first === 0x76 && second === 0x65) || (first === 0x6c && second === 0x6c)) return at + 3;
  return -1;
}

function runEnd(text: string, from: number, kind: number): number {
  let i = from;
  while (i < text.length && (classOf(text.charCodeAt(i)) & kind) !== 0) i++;
  return i;
}

/**
 * Calls `onPiece(start, end)` for each piece of `text` in order and returns true; returns false, having called
 * it for none or some pieces, when the text has a surrogate (the pattern reads those as code points: the caller
 * splits such a text with the pattern itself).
 */
export function forEachPiece(text: string, onPiece: (start: number, end: number) => void): boolean {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    const cls = classOf(code);
    if (cls === SURROGATE) return false;
    let end = -1;
    if (code === APOSTROPHE) end = contractionEnd(text, i);
    if (end < 0) {
      if (cls === LETTER) {
        end = runEnd(text, i + 1, LETTER);
      } else if (cls === NUMBER) {
        end = i + 1;
        while (end < length && end < i + 3 && classOf(text.charCodeAt(end)) === NUMBER) end++;
      } else {
        const next = i + 1 < length ? classOf(text.charCodeAt(i + 1)) : 0;
        if (next === SURROGATE) return false;
        if ((cls & NEWLINE) === 0 && next === LETTER) {
          end = runEnd(text, i + 2, LETTER);
        } else if (cls === OTHER || (code === 0x20 && next === OTHER)) {
          end = runEnd(text, runEnd(text, i + 1, OTHER), NEWLINE);
        } else {
          end = whitespaceEnd(text, i);
        }
      }
    }
    onPiece(i, end);
    i = end;
  }
  return true;
}

/** Alternatives 5 to 7 at `at`, a whitespace character. */
function whitespaceEnd(text: string, at: number): number {
  const run = runEnd(text, at, SPACE);
  for (let i = run - 1; i >= at; i--) if ((classOf(text.charCodeAt(i)) & NEWLINE) !== 0) return i + 1;
  if (run === text.length) return run;
  return run - 1 > at ? run - 1 : run;
}
