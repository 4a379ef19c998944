// Words and word n-grams as the statistical evaluators (repetition, verbatim-copy) compare them: lower-cased,
// punctuation stripped, each word reduced to a 32-bit hash of its letters, n-grams hashed from those.
//
// Working on hashes rather than word strings means scanning a text allocates nothing per word, which matters at
// hundreds of words per candidate and thousands of candidates. Two different words sharing a hash (odds about
// 1 in 10^5 for a 400-word text) would only make them compare equal; the measures are statistics, so that is fine.
import { memoizeRecent } from './recent-memo.js';

/** The words of a text: `ids[i]` is the hash of word i, `lengths[i]` its length in UTF-16 code units. */
export interface WordScan {
  ids: Int32Array;
  lengths: Int32Array;
}

// How each UTF-16 code unit takes part in a word. Han, Hiragana and Katakana are written without spaces between
// words; one character is roughly one morpheme, so each is a word of its own. Other scripts (Thai included) split
// at whatever is not a letter, mark or digit. An apostrophe between letters is dropped, so "don't" meets "dont".
const OTHER = 0;
const WORD_CHAR = 1;
const OWN_WORD = 2;
const APOSTROPHE = 3;

const WORD_CHAR_RE = /^[\p{L}\p{M}\p{N}]$/u;
const OWN_WORD_RE = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]$/u;

// A class table per code unit, filled in as characters appear, makes the scan about twice as fast as a Unicode
// regex over the text would be.
const UNKNOWN = 255;
const classes = new Uint8Array(0x10000).fill(UNKNOWN);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  classes[code] = /[a-z0-9]/.test(char) ? WORD_CHAR : code === 0x27 ? APOSTROPHE : OTHER;
}
classes[0x2019] = APOSTROPHE;

function classAt(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const known = classes[code]!;
  if (known !== UNKNOWN) return known;
  if (code >= 0xd800 && code < 0xdc00) return classify(String.fromCodePoint(text.codePointAt(i)!)); // astral: not cached
  return (classes[code] = classify(text[i]!));
}

function classify(char: string): number {
  if (OWN_WORD_RE.test(char)) return OWN_WORD;
  return WORD_CHAR_RE.test(char) ? WORD_CHAR : OTHER;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Scans the words of `text` (lower-cased, punctuation and whitespace dropped) into hashes and lengths. */
export function scanWords(text: string): WordScan {
  const lower = text.toLowerCase();
  const end = lower.length;
  // Sized for prose (words average five or six characters with their separator); grown if the text is denser.
  let ids: Int32Array = new Int32Array((end >> 2) + 16);
  let lengths: Int32Array = new Int32Array(ids.length);
  let count = 0;
  let i = 0;
  while (i < end) {
    const kind = classAt(lower, i);
    if (kind !== WORD_CHAR && kind !== OWN_WORD) {
      i++;
      continue;
    }
    let hash = FNV_OFFSET;
    let length = 0;
    let j = i;
    do {
      const unit = lower.charCodeAt(j);
      hash = Math.imul(hash ^ unit, FNV_PRIME);
      length++;
      j++;
      // The low half of a surrogate pair belongs to the character just read.
      if (unit >= 0xd800 && unit < 0xdc00 && j < end) {
        hash = Math.imul(hash ^ lower.charCodeAt(j), FNV_PRIME);
        length++;
        j++;
      }
      if (kind === OWN_WORD || j >= end) break;
      const next = classAt(lower, j);
      if (next === APOSTROPHE && j + 1 < end && classAt(lower, j + 1) === WORD_CHAR) j++;
      else if (next !== WORD_CHAR) break;
    } while (j < end);
    if (count === ids.length) {
      ids = grow(ids);
      lengths = grow(lengths);
    }
    ids[count] = hash;
    lengths[count] = length;
    count++;
    i = j;
  }
  return { ids: ids.subarray(0, count), lengths: lengths.subarray(0, count) };
}

function grow(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * scanWords, remembered for recent texts: the judge hands the same candidate to several evaluators, and a source
 * is judged against each of its candidates. Callers must not modify the arrays.
 */
export const wordScanOf: (text: string) => Readonly<WordScan> = memoizeRecent(scanWords, 32);

/** Hash of the n-gram of `ids` starting at `start`: a 30-bit integer. */
export function ngramHash(ids: ArrayLike<number>, start: number, n: number): number {
  let state = NGRAM_HASH_START;
  for (let i = start; i < start + n; i++) state = extendNgramHash(state, ids[i]!);
  return finishNgramHash(state);
}

// An n-gram hash is built word by word, so a caller that needs every length from 2 to 10 can extend one running
// state per position instead of rehashing each n-gram from scratch (see the repetition evaluator).
export const NGRAM_HASH_START = FNV_OFFSET;

export function extendNgramHash(state: number, id: number): number {
  return Math.imul(state ^ id, FNV_PRIME);
}

export function finishNgramHash(state: number): number {
  let hash = state ^ (state >>> 15);
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return hash & 0x3fffffff;
}

/** Whether the n-grams at `a` in `idsA` and at `b` in `idsB` are the same words. */
function sameNgram(idsA: ArrayLike<number>, a: number, idsB: ArrayLike<number>, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (idsA[a + k] !== idsB[b + k]) return false;
  return true;
}

/**
 * An open-addressing hash table from n-gram to where it first occurs and how often it occurs, over one id array.
 * Its arrays are kept and reused from one text to the next, so measuring a candidate allocates nothing.
 */
export class NgramTable {
  /** First position + 1 of the n-gram held in each slot; 0 marks an empty slot. */
  private firstPlusOne = new Int32Array(1024);
  private counts = new Int32Array(1024);
  private hashes = new Int32Array(1024);
  private mask = 1023;
  private ids: ArrayLike<number> = [];
  private n = 1;

  /** Empties the table to hold the n-grams of `n` words of `ids`. */
  reset(ids: ArrayLike<number>, n: number): void {
    let size = 16;
    while (size < ids.length * 2) size *= 2;
    if (size > this.firstPlusOne.length) {
      this.firstPlusOne = new Int32Array(size);
      this.counts = new Int32Array(size);
      this.hashes = new Int32Array(size);
    } else {
      this.firstPlusOne.fill(0, 0, size);
    }
    this.mask = size - 1;
    this.ids = ids;
    this.n = n;
  }

  /** Counts the n-gram at `start` of the table's ids; returns its slot. `hash` saves rehashing when known. */
  add(start: number, hash = ngramHash(this.ids, start, this.n)): number {
    const slot = this.find(this.ids, start, hash, true);
    this.counts[slot]!++;
    return slot;
  }

  /** Slot of the n-gram of `query` at `start`, or -1 when the table does not hold it. */
  lookup(query: ArrayLike<number>, start: number, hash = ngramHash(query, start, this.n)): number {
    return this.find(query, start, hash, false);
  }

  /** How many times the n-gram in `slot` has been added. */
  countAt(slot: number): number {
    return this.counts[slot]!;
  }

  private find(query: ArrayLike<number>, start: number, hash: number, insert: boolean): number {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const firstPlusOne = this.firstPlusOne[slot]!;
      if (firstPlusOne === 0) {
        if (!insert) return -1;
        this.firstPlusOne[slot] = start + 1;
        this.hashes[slot] = hash;
        this.counts[slot] = 0;
        return slot;
      }
      if (this.hashes[slot] === hash && sameNgram(this.ids, firstPlusOne - 1, query, start, this.n)) return slot;
    }
  }
}
