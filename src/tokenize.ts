// The tokeniser every faithfulness check shares: words and numbers with character offsets, each carrying the
// normalised key and flags from content-words. Most of the judge's time is spent here, so the common case
// (plain words) is scanned by a table of character classes rather than by running a regex at each word.

import { canonicalNumber, NEGATION_CUES, normalizeWord, parseNumeral, SCALES, STOPWORDS, UNITS, type Token } from './content-words.js';
import { memoizeRecent, memoizeWords } from './recent-memo.js';

// Words, numbers (with separators, ordinal suffixes, decades), and English contractions split off.
const TOKEN_PATTERN = /\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?(?![\p{L}\d])|[\p{L}\p{M}\d]+(?:['’][\p{L}]+)*/gu;

interface RawToken {
  start: number;
  end: number;
  raw: string;
}

function splitContraction(t: RawToken): RawToken[] {
  const last = t.raw.charCodeAt(t.raw.length - 1);
  if (last !== 116 && last !== 84) return [t]; // no final "t": no "n't"
  const m = /^(.*?)(n['’]t)$/i.exec(t.raw);
  if (!m || m[1] === undefined || m[1].length === 0) return [t];
  const base = m[1].toLowerCase() === 'wo' ? 'will' : m[1].toLowerCase() === 'ca' ? 'can' : m[1];
  const cut = t.start + m[1].length;
  return [
    { start: t.start, end: cut, raw: base },
    { start: cut, end: t.end, raw: "n't" },
  ];
}

/** . ! ? : ; " “ ” \n • */
function isBreakChar(code: number): boolean {
  switch (code) {
    case 0x2e: case 0x21: case 0x3f: case 0x3a: case 0x3b: case 0x22: case 0x201c: case 0x201d: case 0x0a: case 0x2022:
      return true;
    default:
      return false;
  }
}

/** True when the text between two tokens ends a sentence or opens a new one (a list marker, a quote). */
function breaksBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isBreakChar(text.charCodeAt(i))) return true;
  return from === 0 && /^\s*[-*]\s/.test(text.slice(from, to));
}

function isUpper(ch: string): boolean {
  return ch !== ch.toLowerCase() && ch === ch.toUpperCase();
}

/** What a token is, apart from where it stands: the same for every occurrence of the same raw text. */
type WordInfo = Pick<Token, 'norm' | 'kind' | 'content' | 'capitalised' | 'acronym' | 'negation'>;

function computeWordInfo(raw: string): WordInfo {
  const lower = raw.toLowerCase();
  const capitalised = isUpper(raw[0] ?? '');
  const acronym = capitalised && raw.length >= 2 && raw === raw.toUpperCase() && raw !== lower && /\p{Lu}.*\p{Lu}/u.test(raw);
  const code = raw.charCodeAt(0);
  const numeral = code >= 48 && code <= 57 ? parseNumeral(raw) : null;
  const unit = numeral === null ? UNITS[lower] : undefined;
  if (numeral !== null || unit !== undefined) {
    return { norm: canonicalNumber(numeral ?? (unit as number)), kind: 'number', content: true, capitalised, acronym, negation: false };
  }
  const negation = NEGATION_CUES.has(lower);
  // "I'll", "they're", "we've": the pronoun decides; "Johnson's" stays a name.
  const bare = lower.replace(/['’](?:ll|re|ve|d|m)$/, '');
  const norm = lower === "n't" ? 'not' : bare !== lower ? bare : normalizeWord(raw);
  return { norm, kind: 'word', content: !STOPWORDS.has(bare) && !negation, capitalised, acronym, negation };
}

// Tokenising is most of the judge's work, and most tokens are words met before: their properties are kept.
const wordInfo = memoizeWords(computeWordInfo);

function makeToken(start: number, end: number, raw: string, afterBreak: boolean): Token {
  const info = wordInfo(raw);
  return { start, end, raw, norm: info.norm, kind: info.kind, content: info.content, capitalised: info.capitalised, acronym: info.acronym, negation: info.negation, afterBreak };
}

function onlySpaceOrHyphen(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c !== ' ' && c !== '-' && c !== '\t' && c !== '\n' && c !== '\u00a0') return false;
  }
  return true;
}

// "twenty seven" → 27, "5 million" → 5000000, "$5bn" → 5000000000: one number, one token.
function mergeNumberPhrases(tokens: Token[], text: string): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    const prev = out[out.length - 1];
    if (prev === undefined || prev.kind !== 'number' || !onlySpaceOrHyphen(text, prev.end, t.start)) {
      out.push(t);
      continue;
    }
    const scale = SCALES[t.raw.toLowerCase()];
    if (scale !== undefined) {
      out[out.length - 1] = { ...prev, end: t.end, raw: text.slice(prev.start, t.end), norm: canonicalNumber(Number(prev.norm) * scale) };
      continue;
    }
    const prevValue = Number(prev.norm);
    const tens = UNITS[prev.raw.toLowerCase()] !== undefined && prevValue >= 20 && prevValue < 100 && prevValue % 10 === 0;
    if (tens && t.kind === 'number' && UNITS[t.raw.toLowerCase()] !== undefined && Number(t.norm) < 10) {
      out[out.length - 1] = { ...prev, end: t.end, raw: text.slice(prev.start, t.end), norm: canonicalNumber(prevValue + Number(t.norm)) };
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Scale suffix glued to a currency amount: "$5bn", "£3.2m". */
function splitCurrencySuffix(t: RawToken, text: string): RawToken[] {
  const first = t.raw.charCodeAt(0);
  if (first < 48 || first > 57) return [t];
  const m = /^(\d+(?:[.,]\d+)*)(bn|m|k|tn)$/i.exec(t.raw);
  if (!m || m[1] === undefined || m[2] === undefined || !/[$£€¥]\s*$/.test(text.slice(Math.max(0, t.start - 2), t.start))) return [t];
  const cut = t.start + m[1].length;
  const scale = m[2].toLowerCase() === 'm' ? 'million' : m[2].toLowerCase() === 'k' ? 'thousand' : m[2];
  return [{ start: t.start, end: cut, raw: m[1] }, { start: cut, end: t.end, raw: scale }];
}

// How each UTF-16 code unit takes part in TOKEN_PATTERN, for scanning words without running the regex on each.
const OTHER = 0;
const LETTER = 1; // \p{L}
const MARK = 2; // \p{M}
const DIGIT = 3; // 0-9: \d under the u flag
const APOSTROPHE = 4; // ' and ’
const SURROGATE = 5; // half of an astral character: the regex reads code points, so the scan hands over to it
const UNCLASSIFIED = 255;
const tokenClasses = new Uint8Array(0x10000).fill(UNCLASSIFIED);

function tokenClass(code: number): number {
  let known = tokenClasses[code] as number;
  if (known === UNCLASSIFIED) {
    const char = String.fromCharCode(code);
    if (code >= 0xd800 && code <= 0xdfff) known = SURROGATE;
    else if (code >= 0x30 && code <= 0x39) known = DIGIT;
    else if (code === 0x27 || code === 0x2019) known = APOSTROPHE;
    else if (/\p{L}/u.test(char)) known = LETTER;
    else if (/\p{M}/u.test(char)) known = MARK;
    else known = OTHER;
    tokenClasses[code] = known;
  }
  return known;
}

/**
 * The tokens of `text` as both tokenisers emit them: `push` one as matched, or `pushSplit` a match that may
 * carry a currency scale ("$5bn") or an "n't" to split off.
 */
function collector(text: string) {
  const tokens: Token[] = [];
  let prevEnd = 0;
  const push = (start: number, end: number, raw: string): void => {
    tokens.push(makeToken(start, end, raw, tokens.length === 0 || breaksBetween(text, prevEnd, start)));
    prevEnd = end;
  };
  const pushSplit = (start: number, raw: string): void => {
    for (const piece of splitCurrencySuffix({ start, end: start + raw.length, raw }, text)) {
      for (const part of splitContraction(piece)) push(part.start, part.end, part.raw);
    }
  };
  return { tokens, push, pushSplit };
}

/** Tokenises text into words and numbers with offsets; hyphenated words become their parts. */
export function tokenize(text: string): Token[] {
  return scanTokens(text) ?? tokenizeWithPattern(text);
}

/**
 * TOKEN_PATTERN's matches found by scanning: a match starts at the first letter, mark or digit; from a letter
 * or mark it is `[\p{L}\p{M}\d]+(?:['’]\p{L}+)*`, taken greedily as the regex does (nothing follows to make it
 * back off). A match from a digit, whose number alternative backtracks, is left to the regex itself. Null for a
 * text with astral characters, which the regex reads as code points: it tokenises those alone.
 */
function scanTokens(text: string): Token[] | null {
  const { tokens, push, pushSplit } = collector(text);
  const pattern = TOKEN_PATTERN;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const kind = tokenClass(text.charCodeAt(i));
    if (kind === SURROGATE) return null;
    if (kind === OTHER || kind === APOSTROPHE) {
      i++;
      continue;
    }
    const start = i;
    if (kind === DIGIT) {
      pattern.lastIndex = start;
      const m = pattern.exec(text);
      // The regex matches at a digit whatever follows (the word alternative takes it).
      if (m === null || m.index !== start) return null;
      i = start + m[0].length;
      pushSplit(start, m[0]);
      continue;
    }
    let j = i + 1;
    for (; j < n; j++) {
      const next = tokenClass(text.charCodeAt(j));
      if (next === SURROGATE) return null;
      if (next !== LETTER && next !== MARK && next !== DIGIT) break;
    }
    while (j + 1 < n && tokenClass(text.charCodeAt(j)) === APOSTROPHE) {
      const after = tokenClass(text.charCodeAt(j + 1));
      if (after === SURROGATE) return null;
      if (after !== LETTER) break;
      j += 2;
      for (; j < n; j++) {
        const next = tokenClass(text.charCodeAt(j));
        if (next === SURROGATE) return null;
        if (next !== LETTER) break;
      }
    }
    const raw = text.slice(start, j);
    i = j;
    const last = raw.charCodeAt(raw.length - 1);
    // Most tokens are plain words: no final "t" of an "n't".
    if (last !== 116 && last !== 84) push(start, j, raw);
    else pushSplit(start, raw);
  }
  return mergeNumberPhrases(tokens, text);
}

/** tokenize by running TOKEN_PATTERN over the text: for texts scanTokens leaves to it. */
export function tokenizeWithPattern(text: string): Token[] {
  const { tokens, push, pushSplit } = collector(text);
  const pattern = TOKEN_PATTERN;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const raw = m[0];
    const start = m.index;
    const first = raw.charCodeAt(0);
    const last = raw.charCodeAt(raw.length - 1);
    // Most tokens are plain words: no digits to split a scale from, no final "t" of an "n't".
    if ((first < 48 || first > 57) && last !== 116 && last !== 84) push(start, start + raw.length, raw);
    else pushSplit(start, raw);
  }
  return mergeNumberPhrases(tokens, text);
}

/**
 * `tokenize`, remembered for the last few texts: the judge's evaluators tokenise the same candidate one after
 * another (attribution, novel entities, recall). The result is shared, so it is read-only.
 */
export const tokenizeRecent: (text: string) => readonly Token[] = memoizeRecent(tokenize, 8);
