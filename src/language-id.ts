// franc's language ranking, computed the same way but several times faster, for the language evaluator, which
// ranks every source and every candidate.
//
// franc scores a text against each language of its script by walking the text's trigrams and looking each one up
// in that language's profile (a string-keyed object of ~300 trigrams): languages × trigrams lookups, ~100 000 for
// a Latin-script text. Here each script's profiles are turned once into an inverted index (trigram → the
// languages that have it, with its rank there), so a text costs one lookup per distinct trigram plus one step per
// language that has it. Distances are the same integers, ties keep franc's language order, scores are
// normalised by the same formula: `rankLanguages(text, n)` equals `francAll(text, { minLength: n })`.

import { francAll } from 'franc';
import { data } from 'franc/data.js';
import { expressions } from 'franc/expressions.js';
import { isJsSpace } from './js-space.js';

/** [ISO 639-3 code, score in 0..1 with the best at 1], best first; [['und', 1]] when undetermined. */
export type LanguageRanking = Array<[string, number]>;

// franc's constants: the sample it reads, and the distance of a trigram a profile lacks.
const MAX_LENGTH = 2048;
const MAX_DIFFERENCE = 300;

interface ScriptIndex {
  languages: string[];
  /** Code unit → its number in the script's alphabet (the characters its profiles use), from 1; 0 when absent. */
  alphabet: Uint16Array;
  /** Alphabet size + 1: the base trigram keys are written in. */
  base: number;
  /**
   * Trigram ids: the trigrams some profile of the script has, numbered from 0. The first two characters of a
   * trigram (as alphabet numbers a, b) lead to a row, `rowOf[a * base + b]` (-1 when no profiled trigram starts
   * so); `idPlusOne[row * base + c]` is the id of the trigram ending in c, plus one (0 when none). Two array reads
   * per trigram instead of a hash lookup, in a few hundred kilobytes.
   */
  rowOf: Int32Array;
  idPlusOne: Int32Array;
  /** Postings of trigram `id` are entries postingStart[id] .. postingStart[id + 1] - 1 of the two arrays below. */
  postingStart: Int32Array;
  /** Per posting, `rank << 8 | language`: the language's index in `languages` (fewer than 256) and the rank of the trigram in its profile. */
  postings: Int32Array;
  /** Scratch, all zero between calls: occurrences of each trigram id in the text being ranked. */
  counts: Int32Array;
  /** Scratch: the ids counted in the text being ranked, in the order first met. */
  touched: Int32Array;
  /** Scratch, all zero between calls: a bit per trigram key, set for the unprofiled trigrams met in the text. */
  unprofiledSeen: Int32Array;
}

/**
 * A trigram (three UTF-16 code units, as trigram-utils cuts them and as every franc profile entry is) of
 * characters all in the alphabet, as a small integer: V8 keeps it unboxed, so counting and looking up trigrams
 * allocates nothing. -1 when a character is outside the alphabet: no profile has the trigram.
 */
function trigramKey(alphabet: Uint16Array, base: number, text: string, at: number): number {
  const a = alphabet[text.charCodeAt(at)] as number;
  const b = alphabet[text.charCodeAt(at + 1)] as number;
  const c = alphabet[text.charCodeAt(at + 2)] as number;
  return a === 0 || b === 0 || c === 0 ? -1 : (a * base + b) * base + c;
}

const indexes = new Map<string, ScriptIndex>();

function scriptIndex(script: string): ScriptIndex | undefined {
  const known = indexes.get(script);
  if (known !== undefined) return known;
  const profiles = data[script];
  if (profiles === undefined) return undefined;
  // Object key order is franc's language order, which decides ties.
  const languages = Object.keys(profiles);
  const alphabet = new Uint16Array(65536);
  let letters = 0;
  for (const language of languages) {
    const profile = profiles[language] as string;
    for (let i = 0; i < profile.length; i++) {
      const code = profile.charCodeAt(i);
      if (alphabet[code] === 0) alphabet[code] = ++letters;
    }
  }
  const base = letters + 1;
  // Postings per trigram in the order met (language order, then rank), as franc walks them.
  const lists = new Map<number, number[]>();
  languages.forEach((language, languageIndex) => {
    (profiles[language] as string).split('|').forEach((trigram, rank) => {
      const key = trigramKey(alphabet, base, trigram, 0);
      const list = lists.get(key);
      if (list === undefined) lists.set(key, [languageIndex, rank]);
      else list.push(languageIndex, rank);
    });
  });
  const rowOf = new Int32Array(base * base).fill(-1);
  let rows = 0;
  for (const key of lists.keys()) {
    const prefix = Math.floor(key / base);
    if (rowOf[prefix] === -1) rowOf[prefix] = rows++;
  }
  const idPlusOne = new Int32Array(rows * base);
  const postingStart = new Int32Array(lists.size + 1);
  let postings = 0;
  for (const list of lists.values()) postings += list.length / 2;
  const packed = new Int32Array(postings);
  let id = 0;
  let at = 0;
  for (const [key, list] of lists) {
    idPlusOne[(rowOf[Math.floor(key / base)] as number) * base + (key % base)] = id + 1;
    postingStart[id] = at;
    for (let i = 0; i < list.length; i += 2) {
      packed[at] = ((list[i + 1] as number) << 8) | (list[i] as number);
      at++;
    }
    id++;
  }
  postingStart[id] = at;
  const index: ScriptIndex = {
    languages, alphabet, base, rowOf, idPlusOne, postingStart, postings: packed,
    counts: new Int32Array(lists.size), touched: new Int32Array(lists.size),
    unprofiledSeen: new Int32Array(((base * base * base) >> 5) + 1),
  };
  indexes.set(script, index);
  return index;
}

const SCRIPTS = Object.keys(expressions);
const SCRIPT_EXPRESSIONS = Object.values(expressions);
// Per code unit, a bit per script (in SCRIPTS order) whose expression matches it alone; classified on first sight.
const scriptBits = new Uint32Array(65536);
const classified = new Uint8Array(65536);
const singleCharExpressions = SCRIPT_EXPRESSIONS.map((expression) => new RegExp(`^(?:${expression.source})$`));
const scriptCounts = new Int32Array(SCRIPTS.length);

function scriptBitsOf(code: number): number {
  if (classified[code] === 0) {
    const char = String.fromCharCode(code);
    let bits = 0;
    singleCharExpressions.forEach((expression, i) => {
      if (expression.test(char)) bits |= 1 << i;
    });
    scriptBits[code] = bits;
    classified[code] = 1;
  }
  return scriptBits[code] as number;
}

/** The script whose characters occur most in `value` (franc's getTopScript; the first script wins ties). */
function topScript(value: string): string | undefined {
  // Without surrogates every match of an expression is one code unit of its character class, so counting code
  // units whose class bits include the script counts the expression's matches; with them, franc's own way.
  scriptCounts.fill(0);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) return topScriptByExpressions(value);
    let bits = scriptBitsOf(code);
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits);
      scriptCounts[bit] = (scriptCounts[bit] as number) + 1;
      bits ^= 1 << bit;
    }
  }
  // Counts share the denominator value.length, so comparing counts compares franc's shares.
  let top = 0;
  for (let i = 1; i < SCRIPTS.length; i++) if ((scriptCounts[i] as number) > (scriptCounts[top] as number)) top = i;
  return SCRIPTS[top];
}

function topScriptByExpressions(value: string): string | undefined {
  let top: string | undefined;
  let topCount = -1;
  for (const [script, expression] of Object.entries(expressions)) {
    const count = (value.match(expression)?.length ?? 0) / value.length || 0;
    if (count > topCount) {
      topCount = count;
      top = script;
    }
  }
  return top;
}

/** The code units of the text being ranked, cleaned and padded (see cleanInto). */
let cleanBuffer = new Uint16Array(MAX_LENGTH + 2);

/** The runs of `value` that cleanInto keeps, joined by single spaces: the cleaned text before lowering. */
function keptRuns(value: string): string {
  const runs: string[] = [];
  let runStart = -1;
  for (let i = 0; i <= value.length; i++) {
    const code = i < value.length ? value.charCodeAt(i) : 0x20;
    if (!isSeparator(code)) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      runs.push(value.slice(runStart, i));
      runStart = -1;
    }
  }
  return runs.join(' ');
}

/** A code unit the cleaning turns into (part of) a space: whitespace, digits and ASCII punctuation. */
function isSeparator(code: number): boolean {
  return code <= 0x40 ? code >= 0x20 || (code >= 0x09 && code <= 0x0d) : code >= 0x80 && isJsSpace(code);
}

// Per code unit, its lower case plus one when toLowerCase maps it alone, whatever surrounds it; 0 when not yet
// known; NOT_ALONE for the capital sigma (final or not depends on its neighbours), characters lowered to two
// code units (İ) and surrogates (lowered as code points).
const NOT_ALONE = 0x10000 + 1;
const lowerPlusOne = new Int32Array(0x10000);

function lowerAlone(code: number): number {
  let known = lowerPlusOne[code] as number;
  if (known === 0) {
    const lowered = String.fromCharCode(code).toLowerCase();
    const alone = lowered.length === 1 && code !== 0x03a3 && (code < 0xd800 || code > 0xdfff);
    known = alone ? lowered.charCodeAt(0) + 1 : NOT_ALONE;
    lowerPlusOne[code] = known;
  }
  return known;
}

/**
 * Writes into cleanBuffer the text as trigram-utils cleans and pads it, `' ' + value.replace(/[\u0021-\u0040]+/g,
 * ' ').replace(/\s+/g, ' ').trim().toLowerCase() + ' '`, and returns its length: one pass, in which a run of
 * whitespace and U+0021–U+0040 becomes one space, none is kept at either end, and each character is lowered on
 * its own. A text with a character toLowerCase does not lower alone (see lowerAlone) is lowered as a string.
 */
function cleanInto(value: string): number {
  const buffer = cleanBuffer;
  let n = 0;
  buffer[n++] = 0x20;
  let started = false;
  let pendingSpace = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isSeparator(code)) {
      pendingSpace = started;
      continue;
    }
    if (pendingSpace) {
      buffer[n++] = 0x20;
      pendingSpace = false;
    }
    let lower: number;
    if (code < 0x80) lower = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
    else {
      const known = lowerAlone(code);
      if (known === NOT_ALONE) return cleanAsString(value);
      lower = known - 1;
    }
    buffer[n++] = lower;
    started = true;
  }
  buffer[n++] = 0x20;
  return n;
}

function cleanAsString(value: string): number {
  const lowered = keptRuns(value).toLowerCase();
  if (lowered.length + 2 > cleanBuffer.length) cleanBuffer = new Uint16Array(lowered.length + 2);
  const buffer = cleanBuffer;
  let n = 0;
  buffer[n++] = 0x20;
  for (let i = 0; i < lowered.length; i++) buffer[n++] = lowered.charCodeAt(i);
  buffer[n++] = 0x20;
  return n;
}

/**
 * Distance of each language of the script from `value` (franc's getDistances), in language order. The text is
 * cleaned and padded as trigram-utils does; every distinct trigram costs a language whose profile lacks it
 * MAX_DIFFERENCE, and one it has |occurrences - rank - 1|.
 */
function distances(index: ScriptIndex, value: string): Int32Array {
  const length = cleanInto(value);
  const cleaned = cleanBuffer;
  const { alphabet, base, rowOf, idPlusOne, counts, touched, unprofiledSeen } = index;
  let touchedCount = 0;
  let unprofiledCount = 0;
  let unprofiled: number[] | undefined;
  let foreign: Set<number> | undefined;
  // Alphabet numbers of the two characters before position i + 2.
  let a = alphabet[cleaned[0] as number] as number;
  let b = alphabet[cleaned[1] as number] as number;
  for (let i = 0; i + 3 <= length; i++) {
    const c = alphabet[cleaned[i + 2] as number] as number;
    if (a === 0 || b === 0 || c === 0) {
      // Three UTF-16 code units as one exact number (below 2^48).
      (foreign ??= new Set()).add(((cleaned[i] as number) * 65536 + (cleaned[i + 1] as number)) * 65536 + (cleaned[i + 2] as number));
    } else {
      const row = rowOf[a * base + b] as number;
      const id = row < 0 ? -1 : (idPlusOne[row * base + c] as number) - 1;
      if (id < 0) {
        const key = (a * base + b) * base + c;
        const word = key >> 5;
        const bit = 1 << (key & 31);
        const seen = unprofiledSeen[word] as number;
        if ((seen & bit) === 0) {
          unprofiledSeen[word] = seen | bit;
          (unprofiled ??= []).push(word);
          unprofiledCount++;
        }
      } else {
        const count = counts[id] as number;
        if (count === 0) touched[touchedCount++] = id;
        counts[id] = count + 1;
      }
    }
    a = b;
    b = c;
  }
  if (unprofiled !== undefined) for (const word of unprofiled) unprofiledSeen[word] = 0;
  const distinct = touchedCount + unprofiledCount + (foreign?.size ?? 0);
  const result = new Int32Array(index.languages.length).fill(distinct * MAX_DIFFERENCE);
  const { postingStart, postings } = index;
  for (let t = 0; t < touchedCount; t++) {
    const id = touched[t] as number;
    const count = counts[id] as number;
    counts[id] = 0;
    for (let p = postingStart[id] as number, end = postingStart[id + 1] as number; p < end; p++) {
      const posting = postings[p] as number;
      const language = posting & 0xff;
      result[language] = (result[language] as number) + Math.abs(count - (posting >> 8) - 1) - MAX_DIFFERENCE;
    }
  }
  return result;
}

/** The distances of the languages of the script `text` is mostly in, over franc's sample of it. */
interface ScriptDistances {
  index: ScriptIndex;
  byLanguage: Int32Array;
  /** Length of the sample: it bounds the distance, and so normalises scores. */
  sampled: number;
}

/** 'short' below `minLength`; 'franc' when the script has no profiles to index (franc answers at once). */
function scriptDistances(text: string, minLength: number): ScriptDistances | 'short' | 'franc' {
  if (!text || text.length < minLength) return 'short';
  const value = text.slice(0, MAX_LENGTH);
  const script = topScript(value);
  const index = script === undefined ? undefined : scriptIndex(script);
  if (index === undefined) return 'franc';
  return { index, byLanguage: distances(index, value), sampled: value.length };
}

/** franc's score of a distance: 1 for the least (`min`), falling to 0 at the largest possible. */
function scoreOf(distance: number, min: number, sampled: number): number {
  return 1 - (distance - min) / (sampled * MAX_DIFFERENCE - min) || 0;
}

/** Languages of `text`, most likely first, exactly as `francAll(text, { minLength })` ranks them. */
export function rankLanguages(text: string, minLength: number): LanguageRanking {
  const found = scriptDistances(text, minLength);
  if (found === 'short') return [['und', 1]];
  if (found === 'franc') return francAll(text, { minLength });
  const { index, byLanguage, sampled } = found;
  // Array.prototype.sort is stable, as franc relies on for ties.
  const ranking: LanguageRanking = index.languages.map((language, i) => [language, byLanguage[i] as number]);
  ranking.sort((a, b) => a[1] - b[1]);
  const min = (ranking[0] as [string, number])[1];
  for (const entry of ranking) entry[1] = scoreOf(entry[1], min, sampled);
  return ranking;
}

/** The most likely language of a text and the score of one language, as rankLanguages would give them. */
export interface LanguageGuess {
  /** `rankLanguages(text, minLength)[0][0]`: 'und' when undetermined. */
  detected: string;
  /** The score rankLanguages gives `expected`; 0 when it does not rank it. */
  score: number;
}

/**
 * What the language evaluator reads from rankLanguages, without ranking every language: the best guess (the
 * first language of least distance, as the stable sort puts it first) and the score of `expected`.
 */
export function guessLanguage(text: string, minLength: number, expected?: string): LanguageGuess {
  const found = scriptDistances(text, minLength);
  if (found === 'short') return { detected: 'und', score: expected === 'und' ? 1 : 0 };
  if (found === 'franc') {
    const ranking = francAll(text, { minLength });
    return { detected: (ranking[0] as [string, number])[0], score: ranking.find(([code]) => code === expected)?.[1] ?? 0 };
  }
  const { index, byLanguage, sampled } = found;
  let best = 0;
  for (let i = 1; i < byLanguage.length; i++) if ((byLanguage[i] as number) < (byLanguage[best] as number)) best = i;
  const at = expected === undefined ? -1 : index.languages.indexOf(expected);
  const score = at < 0 ? 0 : scoreOf(byLanguage[at] as number, byLanguage[best] as number, sampled);
  return { detected: index.languages[best] as string, score };
}
