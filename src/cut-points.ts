// Where the chunker may cut text that has no space to cut at.
//
// Chinese and Japanese have no spaces between words, so the chunker must cut a run of such text between its
// characters; but these runs carry Latin words and numbers ("直到1958年", "WABD电视台", "1,958.5"), which must
// stay whole, as must a base character with its combining marks, and a surrogate pair. Each position between
// two characters gets a strength; the chunker cuts at the strongest it can. (Thai, Lao, Khmer and Burmese
// also go without spaces between words, but a cut between two of their letters is inside a word: like Latin
// text they are cut at their spaces, and inside a word only as a last resort.)

import { isJsSpace } from './js-space.js';

/** A cut inside a surrogate pair: never. */
export const INSIDE_PAIR = -1;
/** Before a combining mark (or a joiner) of the character before: only when one character is over the bound. */
export const INSIDE_CHARACTER = 0;
/** Inside a word or a number ("A3|80", "1,9|58", "AB|C"), or inside a syllable (before a small kana). */
export const INSIDE_WORD = 1;
/**
 * At punctuation or symbols in a run of Latin text ("Sky|+|HD", "(|a"), or beside CJK punctuation where line
 * breaking forbids a cut (after "（", before "。").
 */
export const AT_SYMBOL = 2;
/** Beside a Han, Kana or Hangul character (or Bopomofo, Yi), or CJK punctuation. */
export const IDEOGRAPHIC = 3;
/** Beside whitespace. */
export const AT_SPACE = 4;

// Character classes: a kind, and flags. CJK marks classes of (or used with) scripts written without spaces,
// whose neighbours may be cut from them; NUMBER marks digits.
const OTHER = 0;
const SPACE = 1;
const WORD = 2; // a letter or digit of a script written with spaces
const JOINER = 3; // joins two WORD characters into one word: "don't", "DVB-S2", "79.8"
const OPEN = 4;
const CLOSE = 5;
const EXTEND = 6; // combining marks and the like: they belong to the character before
const ZWJ = 7; // U+200D joins the characters on both sides
const STOP = 8; // 。！？
const PAUSE = 9; // 、，；：
const IDEO = 10; // Han, Kana, Hangul… characters
const NO_START = 11; // small kana, prolonged sound and iteration marks: no cut before them
const NUMBER_JOINER = 12; // joins two digits into one number: "1,958", "10:30"
const REGIONAL = 13; // regional indicators: two make a flag, so a run of them is not cut
const KIND = 15;
const CJK = 16;
const NUMBER = 32;

const IDEOGRAPHIC_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\p{Script=Yi}\u30fc\uff70]/u;
const MARK = /\p{M}/u;
const DIGIT = /\p{Nd}/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const OPENING = /[\p{Ps}\p{Pi}]/u;
const CLOSING = /[\p{Pe}\p{Pf}]/u;
const STOPS = new Set([0x3002, 0xff01, 0xff1f, 0xff61]);
const PAUSES = new Set([0x3001, 0xff0c, 0xff1a, 0xff1b, 0xff64]);
const JOINERS = new Set([0x27, 0x2d, 0x2e, 0x5f, 0x2011, 0x2019, 0xff0e]);
const NUMBER_JOINERS = new Set([0x2c, 0x3a, 0x66b, 0x66c]);
const NO_STARTS = new Set([...'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶーゝゞヽヾ々ｧｨｩｪｫｬｭｮｯｰ'].map((c) => c.codePointAt(0) ?? 0));

function classify(cp: number): number {
  if (cp < 0x10000 && isJsSpace(cp)) return SPACE;
  if (cp === 0x200d) return ZWJ;
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return REGIONAL;
  const ch = String.fromCodePoint(cp);
  if (
    MARK.test(ch) ||
    (cp >= 0x1160 && cp <= 0x11ff) || // Hangul medial vowels and final consonants
    (cp >= 0xd7b0 && cp <= 0xd7ff) ||
    cp === 0x0e33 || // Thai and Lao sara am
    cp === 0x0eb3 ||
    cp === 0x200c ||
    cp === 0xff9e || // halfwidth (semi-)voiced sound marks
    cp === 0xff9f ||
    (cp >= 0x1f3fb && cp <= 0x1f3ff) || // emoji skin tones
    (cp >= 0xe0020 && cp <= 0xe007f) // emoji tag characters
  ) {
    return EXTEND;
  }
  if (STOPS.has(cp)) return STOP | CJK;
  if (PAUSES.has(cp)) return PAUSE | CJK;
  if (NO_STARTS.has(cp)) return NO_START | CJK;
  if (DIGIT.test(ch)) return WORD | NUMBER;
  if (IDEOGRAPHIC_SCRIPT.test(ch)) return IDEO | CJK;
  if (LETTER_OR_NUMBER.test(ch)) return WORD;
  if (JOINERS.has(cp)) return JOINER;
  if (NUMBER_JOINERS.has(cp)) return NUMBER_JOINER;
  // CJK symbols and punctuation, fullwidth forms, CJK compatibility and vertical forms.
  const cjk =
    (cp >= 0x2e80 && cp <= 0x303f) || (cp >= 0xfe10 && cp <= 0xfe1f) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xffef) || cp === 0x30fb;
  const flag = cjk ? CJK : 0;
  if (OPENING.test(ch)) return OPEN | flag;
  if (CLOSING.test(ch)) return CLOSE | flag;
  return OTHER | flag;
}

/** Classes of the Basic Multilingual Plane, filled in as met (255: not yet). */
const bmpClasses = new Uint8Array(0x10000).fill(255);
/** Classes of the other planes met (emoji, rare Han), forgotten when there are too many. */
const astralClasses = new Map<number, number>();

function classOf(cp: number): number {
  if (cp >= 0x10000) {
    let c = astralClasses.get(cp);
    if (c === undefined) {
      if (astralClasses.size >= 4_096) astralClasses.clear();
      c = classify(cp);
      astralClasses.set(cp, c);
    }
    return c;
  }
  let c = bmpClasses[cp] ?? 255;
  if (c === 255) {
    c = classify(cp);
    bmpClasses[cp] = c;
  }
  return c;
}

/** The code point that ends at `p` and where it starts. */
function startBefore(text: string, p: number): number {
  return p >= 2 && isLowSurrogate(text.charCodeAt(p - 1)) && isHighSurrogate(text.charCodeAt(p - 2)) ? p - 2 : p - 1;
}

/** How good a place `p` is to cut `text` (one of the strengths above); the ends of the text are spaces. */
export function cutStrength(text: string, p: number): number {
  if (p <= 0 || p >= text.length) return AT_SPACE;
  const nextUnit = text.charCodeAt(p);
  const prevUnit = text.charCodeAt(p - 1);
  if (isLowSurrogate(nextUnit) && isHighSurrogate(prevUnit)) return INSIDE_PAIR;
  if (isJsSpace(nextUnit) || isJsSpace(prevUnit)) return AT_SPACE;
  // Latin text, below the combining marks: no surrogate pairs, no marks.
  if (nextUnit < 0x300 && prevUnit < 0x300) return strengthBetween(text, p - 1, classOf(prevUnit), classOf(nextUnit), p + 1);
  const afterPoint = text.codePointAt(p) ?? nextUnit;
  const after = classOf(afterPoint);
  const afterKind = after & KIND;
  if (afterKind === EXTEND || afterKind === ZWJ) return INSIDE_CHARACTER;
  let q = startBefore(text, p);
  let before = classOf(text.codePointAt(q) ?? prevUnit);
  if ((before & KIND) === ZWJ || ((before & KIND) === REGIONAL && afterKind === REGIONAL)) return INSIDE_CHARACTER;
  // The character before is its base, not its last combining mark (a long run of marks is not walked).
  for (let steps = 0; (before & KIND) === EXTEND && q > 0 && steps < 32; steps++) {
    q = startBefore(text, q);
    before = classOf(text.codePointAt(q) ?? 0);
  }
  return strengthBetween(text, q, before, after, p + (afterPoint >= 0x10000 ? 2 : 1));
}

/**
 * The strength of a cut between two characters of classes `before` (starting at `q`, a base character) and
 * `after` (ending at `r`), neither of them a space, a mark or inside a surrogate pair.
 */
function strengthBetween(text: string, q: number, before: number, after: number, r: number): number {
  const beforeKind = before & KIND;
  const afterKind = after & KIND;
  if (afterKind === NO_START) return INSIDE_WORD;
  if (beforeKind === WORD) {
    if (afterKind === WORD) return INSIDE_WORD;
    if ((afterKind === JOINER || (afterKind === NUMBER_JOINER && before & NUMBER)) && r < text.length) {
      const third = classOf(text.codePointAt(r) ?? 0);
      if ((third & KIND) === WORD && (afterKind === JOINER || third & NUMBER)) return INSIDE_WORD;
    }
  } else if ((beforeKind === JOINER || (beforeKind === NUMBER_JOINER && after & NUMBER)) && afterKind === WORD && q > 0) {
    const first = classOf(text.codePointAt(startBefore(text, q)) ?? 0);
    if ((first & KIND) === WORD && (beforeKind === JOINER || first & NUMBER)) return INSIDE_WORD;
  }
  if (beforeKind === OPEN || afterKind === CLOSE || afterKind === STOP || afterKind === PAUSE) return AT_SYMBOL;
  return (before | after) & CJK ? IDEOGRAPHIC : AT_SYMBOL;
}

/** The last place in (pos, limit] at least `min` strong to end a chunk at (not after a space), or `pos` when there is none. */
export function lastCut(text: string, pos: number, limit: number, min: number): number {
  for (let i = limit; i > pos; i--) if (!isJsSpace(text.charCodeAt(i - 1)) && cutStrength(text, i) >= min) return i;
  return pos;
}

/** The first place in (pos, end) at least `min` strong to cut at, or `end` when there is none. */
export function nextCut(text: string, pos: number, end: number, min: number): number {
  for (let i = pos + 1; i < end; i++) if (cutStrength(text, i) >= min) return i;
  return end;
}

/**
 * Where to end a run of words that must stop before `limit`. In the second half of the room: a line break,
 * else after a CJK sentence end (with its closing quotes), else after a CJK comma, else a space; failing
 * those, the later of the last space and the last cut beside a character of a script without spaces.
 * Returns `pos` or less when the first word runs past `limit`.
 */
export function cutBefore(text: string, pos: number, limit: number): number {
  const half = pos + Math.floor((limit - pos) / 2);
  for (let i = limit; i > half; i--) {
    if (text.charCodeAt(i) === 0x0a) return lastWordEnd(text, pos, i);
  }
  let pause = -1;
  for (let i = limit; i > half; i--) {
    const code = text.charCodeAt(i - 1);
    if (code < 0x3001) continue; // below every CJK stop and pause
    const kind = classOf(code) & KIND;
    if (kind !== STOP && kind !== PAUSE) continue;
    let cut = i;
    while (cut < limit && (classOf(text.charCodeAt(cut)) & KIND) === CLOSE) cut++;
    if (cutStrength(text, cut) < IDEOGRAPHIC) continue;
    if (kind === STOP) return cut;
    if (pause < 0) pause = cut;
  }
  if (pause >= 0) return pause;
  const spaced = lastWordEnd(text, pos, limit);
  return spaced > half ? spaced : lastCut(text, spaced, limit, IDEOGRAPHIC);
}

/** End of the last whole space-separated word in text[pos, limit), or `pos` when the first runs past `limit`. */
export function lastWordEnd(text: string, pos: number, limit: number): number {
  let e = limit;
  while (e > pos && !isJsSpace(text.charCodeAt(e))) e--;
  while (e > pos && isJsSpace(text.charCodeAt(e - 1))) e--;
  return e;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
