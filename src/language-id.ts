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
  /** Per trigram key: pairs of (language index, rank of the trigram in that language's profile). */
  postings: Map<number, number[]>;
}

/**
 * A trigram (three UTF-16 code units, as trigram-utils cuts them and as every franc profile entry is) of
 * characters all in the alphabet, as a small integer: V8 keeps it unboxed, so counting and looking up trigrams
 * allocates nothing. -1 when a character is outside the alphabet: no profile has the trigram.
 */
function trigramKey(index: ScriptIndex, text: string, at: number): number {
  const a = index.alphabet[text.charCodeAt(at)] as number;
  const b = index.alphabet[text.charCodeAt(at + 1)] as number;
  const c = index.alphabet[text.charCodeAt(at + 2)] as number;
  return a === 0 || b === 0 || c === 0 ? -1 : (a * index.base + b) * index.base + c;
}

const indexes = new Map<string, ScriptIndex>();

function scriptIndex(script: string): ScriptIndex | undefined {
  let index = indexes.get(script);
  if (index !== undefined) return index;
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
  index = { languages, alphabet, base: letters + 1, postings: new Map() };
  const postings = index.postings;
  languages.forEach((language, languageIndex) => {
    (profiles[language] as string).split('|').forEach((trigram, rank) => {
      const key = trigramKey(index as ScriptIndex, trigram, 0);
      const list = postings.get(key);
      if (list === undefined) postings.set(key, [languageIndex, rank]);
      else list.push(languageIndex, rank);
    });
  });
  indexes.set(script, index);
  return index;
}

/** The script whose characters occur most in `value` (franc's getTopScript; the first script wins ties). */
function topScript(value: string): string | undefined {
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

/**
 * Occurrences of each trigram of the text as trigram-utils cleans and pads it, by key, for the trigrams a
 * profile could have; and how many distinct trigrams the text has in all (each one costs a language whose
 * profile lacks it the same distance).
 */
function trigramCounts(index: ScriptIndex, value: string): { counts: Map<number, number>; distinct: number } {
  const cleaned = ' ' + value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase() + ' ';
  const counts = new Map<number, number>();
  let foreign: Set<string> | undefined;
  for (let i = 0; i + 3 <= cleaned.length; i++) {
    const key = trigramKey(index, cleaned, i);
    if (key >= 0) counts.set(key, (counts.get(key) ?? 0) + 1);
    else (foreign ??= new Set()).add(cleaned.slice(i, i + 3));
  }
  return { counts, distinct: counts.size + (foreign?.size ?? 0) };
}

/** Languages of `text`, most likely first, exactly as `francAll(text, { minLength })` ranks them. */
export function rankLanguages(text: string, minLength: number): LanguageRanking {
  if (!text || text.length < minLength) return [['und', 1]];
  const value = text.slice(0, MAX_LENGTH);
  const script = topScript(value);
  const index = script === undefined ? undefined : scriptIndex(script);
  // A script with one language (or none, or a text of digits): franc's own answer is immediate.
  if (index === undefined) return francAll(text, { minLength });

  const { counts, distinct } = trigramCounts(index, value);
  const distances = new Int32Array(index.languages.length).fill(distinct * MAX_DIFFERENCE);
  counts.forEach((count, trigram) => {
    const list = index.postings.get(trigram);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i += 2) {
      const language = list[i] as number;
      distances[language] = (distances[language] as number) + Math.abs(count - (list[i + 1] as number) - 1) - MAX_DIFFERENCE;
    }
  });
  // Array.prototype.sort is stable, as franc relies on for ties.
  const ranking: LanguageRanking = index.languages.map((language, i) => [language, distances[i] as number]);
  ranking.sort((a, b) => a[1] - b[1]);
  const min = (ranking[0] as [string, number])[1];
  const max = value.length * MAX_DIFFERENCE - min;
  for (const entry of ranking) entry[1] = 1 - (entry[1] - min) / max || 0;
  return ranking;
}
