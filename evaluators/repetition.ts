// Tier 1: degenerate repetition, the looping a sampler falls into: the Gopher quality rules (Rae et al. 2021,
// table A1), measured as in datatrove's GopherRepetitionFilter. N-gram measures need enough words to mean
// anything, so short outputs (a QA answer, a one-line fact) are judged only by their lines and repeated sentences.
import { z } from 'zod';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import type { Evaluator, Verdict } from '../src/types.js';
import { extendNgramHash, finishNgramHash, NGRAM_HASH_START, NgramTable, scanWords, wordScanOf, type WordScan } from '../src/word-ngrams.js';

const ID = 'repetition';

/** A threshold on a fraction; 1 turns its measure off, since no fraction exceeds it. */
const threshold = () => z.number().gt(0).max(1);

export const repetitionOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Largest share of lines that repeat an earlier line. Default 0.3. */
    maxDuplicateLineFraction: threshold().default(0.3),
    /** Largest share of characters in lines that repeat an earlier line. Default 0.2. */
    maxDuplicateLineCharFraction: threshold().default(0.2),
    /** Largest share of characters covered by the most frequent n-gram, for n = 2, 3, 4. */
    maxTopNgramCharFraction: z
      .strictObject({ '2': threshold().default(0.2), '3': threshold().default(0.18), '4': threshold().default(0.16) })
      .prefault({}),
    /** Largest share of characters in n-grams that repeat an earlier n-gram, for n = 5..10. */
    maxDuplicateNgramCharFraction: z
      .strictObject({
        '5': threshold().default(0.15),
        '6': threshold().default(0.14),
        '7': threshold().default(0.13),
        '8': threshold().default(0.12),
        '9': threshold().default(0.11),
        '10': threshold().default(0.1),
      })
      .prefault({}),
    /** Outputs with fewer words skip the n-gram measures (one repeated phrase is a large share of a short text). Default 50. */
    minWordsForNgramMeasures: z.number().int().nonnegative().default(50),
    /** In a short output, a sentence of at least this many words may not occur twice. Default 3. */
    minRepeatedSentenceWords: z.number().int().positive().default(3),
  }),
);

type RepetitionOptions = ReturnType<typeof repetitionOptions.parse>;

interface Measurement {
  measure: string;
  value: number;
  threshold: number;
}

export const repetition = {
  id: ID,
  tier: 1,
  appliesTo: () => true,
  parseOptions: (options) => repetitionOptions.parse(options),
  evaluate(_source, candidate, ctx): Verdict {
    const options = repetitionOptions.parse(ctx.options);
    const text = candidate.trim();
    if (text === '') return { evaluator: ID, pass: true, score: 1, reason: 'ok' };

    const measurements = lineMeasurements(text, options);
    const words = wordScanOf(text);
    const long = words.ids.length >= options.minWordsForNgramMeasures;
    if (long) measurements.push(...ngramMeasurements(words, text.length, options));
    const tripped = measurements.find((m) => m.value > m.threshold);
    if (tripped === undefined && !long) {
      const sentence = repeatedSentence(text, options.minRepeatedSentenceWords);
      if (sentence !== undefined) {
        return { evaluator: ID, pass: false, score: 0, reason: 'degenerate_repetition', details: { measure: 'repeated_sentence', sentence } };
      }
    }

    // Line measures are always there, so there is always a worst measure.
    const worst = measurements.reduce((a, b) => (b.value / b.threshold > a.value / a.threshold ? b : a));
    // Score falls from 1 (no repetition) to 0.5 at the threshold and to 0 at twice the threshold, so among
    // passing candidates the less repetitive one ranks higher.
    const score = Math.max(0, 1 - worst.value / worst.threshold / 2);
    const reported = tripped ?? worst;
    const details = { ...reported, value: round(reported.value) };
    return tripped !== undefined
      ? { evaluator: ID, pass: false, score, reason: 'degenerate_repetition', details }
      : { evaluator: ID, pass: true, score, reason: 'ok', details };
  },
} satisfies Evaluator;

function lineMeasurements(text: string, options: RepetitionOptions): Measurement[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '') lines.push(trimmed);
  }
  const seen = new Set<string>();
  let duplicates = 0;
  let duplicateChars = 0;
  for (const line of lines) {
    if (seen.has(line)) {
      duplicates++;
      duplicateChars += line.length;
    } else {
      seen.add(line);
    }
  }
  return [
    { measure: 'duplicate_line_fraction', value: duplicates / lines.length, threshold: options.maxDuplicateLineFraction },
    { measure: 'duplicate_line_char_fraction', value: duplicateChars / text.length, threshold: options.maxDuplicateLineCharFraction },
  ];
}

function ngramMeasurements({ ids, lengths }: Readonly<WordScan>, textChars: number, options: RepetitionOptions): Measurement[] {
  // charsBefore[i] is the length of words 0..i-1, so an n-gram's characters are a difference of two entries.
  const charsBefore = new Int32Array(ids.length + 1);
  for (let i = 0; i < ids.length; i++) charsBefore[i + 1] = charsBefore[i]! + lengths[i]!;
  const chars = (start: number, n: number) => charsBefore[start + n]! - charsBefore[start]!;

  // The running hash state of the n-gram at each position, extended one word at a time as n grows.
  const states = new Int32Array(ids.length).fill(NGRAM_HASH_START);
  let statesN = 0;
  const hashesOf = (n: number): Int32Array => {
    for (; statesN < n; statesN++) {
      for (let i = 0; i + statesN < ids.length; i++) states[i] = extendNgramHash(states[i]!, ids[i + statesN]!);
    }
    return states;
  };

  const top = numberedEntries(options.maxTopNgramCharFraction).map(([n, threshold]) => ({ n, threshold, kind: 'top' as const }));
  const duplicate = numberedEntries(options.maxDuplicateNgramCharFraction).map(([n, threshold]) => ({ n, threshold, kind: 'duplicate' as const }));
  const values = new Map<string, number>();
  for (const { n, kind } of [...top, ...duplicate].sort((a, b) => a.n - b.n)) {
    const hashes = hashesOf(n);
    const repeated = kind === 'top' ? topNgramChars(ids, n, hashes, chars) : duplicateNgramChars(ids, n, hashes, chars);
    values.set(`${kind}_${n}`, repeated / textChars);
  }
  return [...top, ...duplicate].map(({ n, threshold, kind }) => ({
    measure: `${kind}_${n}gram_char_fraction`,
    value: values.get(`${kind}_${n}`)!,
    threshold,
  }));
}

type CharsOf = (start: number, n: number) => number;

// Evaluation is synchronous, so one table serves every call.
const table = new NgramTable();

/** Characters covered by the most frequent n-gram (with the spaces between its words); 0 if none occurs twice. */
function topNgramChars(ids: Int32Array, n: number, hashStates: Int32Array, chars: CharsOf): number {
  table.reset(ids, n);
  let topCount = 1;
  let topStart = -1;
  for (let i = 0; i + n <= ids.length; i++) {
    const count = table.countAt(table.add(i, finishNgramHash(hashStates[i]!)));
    if (count > topCount) {
      topCount = count;
      topStart = i;
    }
  }
  return topStart < 0 ? 0 : topCount * (chars(topStart, n) + n - 1);
}

/** Characters in n-grams that repeat an earlier one; after a repeat the scan jumps past it, so overlaps count once. */
function duplicateNgramChars(ids: Int32Array, n: number, hashStates: Int32Array, chars: CharsOf): number {
  table.reset(ids, n);
  let repeatedChars = 0;
  let i = 0;
  while (i + n <= ids.length) {
    if (table.countAt(table.add(i, finishNgramHash(hashStates[i]!))) > 1) {
      repeatedChars += chars(i, n);
      i += n;
    } else {
      i++;
    }
  }
  return repeatedChars;
}

const SENTENCE_BREAK = /(?<=[.!?。！？])\s+|\n+/;

/** A sentence long enough to matter that occurs twice, or the one sentence an output only repeats ("Yes. Yes."). */
function repeatedSentence(text: string, minWords: number): string | undefined {
  const sentences = text
    .split(SENTENCE_BREAK)
    .map((sentence) => ({ sentence: sentence.trim(), words: scanWords(sentence).ids }))
    .filter((s) => s.words.length > 0);
  const keys = sentences.map((s) => s.words.join(','));
  if (keys.length >= 2 && keys.every((key) => key === keys[0])) return sentences[0]!.sentence;
  const seen = new Set<string>();
  for (let i = 0; i < sentences.length; i++) {
    const key = keys[i]!;
    if (seen.has(key) && sentences[i]!.words.length >= minWords) return sentences[i]!.sentence;
    seen.add(key);
  }
  return undefined;
}

function numberedEntries(record: Record<string, number>): Array<[number, number]> {
  return Object.entries(record).map(([n, max]) => [Number(n), max]);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
