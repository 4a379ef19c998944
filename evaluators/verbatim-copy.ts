// Tier 1: a "rephrase" that mostly copies its source teaches the model nothing new. Measured as the share of the
// output's word n-grams (8 by default, lower-cased, punctuation stripped) that also occur in the source.
import { z } from 'zod';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { memoizeRecent } from '../src/recent-memo.js';
import type { Evaluator, Verdict } from '../src/types.js';
import { encodeWordIds, internWords, ngramKey, tokenizeWords } from '../src/word-ngrams.js';

const ID = 'verbatim-copy';

export const verbatimCopyOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Largest share of the output's n-grams that may occur in the source. Default 0.5. */
    max: fraction().default(0.5),
    /** Words per n-gram. Default 8: long enough that shared names and set phrases rarely match by chance. */
    n: z.number().int().min(2).max(32).default(8),
  }),
);

/** The source's words as ids, and the set of its n-grams for each n asked so far. */
interface SourceIndex {
  vocabulary: Map<string, number>;
  encoded: string;
  wordCount: number;
  ngramsByN: Map<number, Set<string>>;
}

const indexSource = memoizeRecent((source: string): SourceIndex => {
  const vocabulary = new Map<string, number>();
  const words = tokenizeWords(source);
  return { vocabulary, encoded: encodeWordIds(internWords(words, vocabulary)), wordCount: words.length, ngramsByN: new Map() };
});

function sourceNgrams(index: SourceIndex, n: number): Set<string> {
  let ngrams = index.ngramsByN.get(n);
  if (ngrams === undefined) {
    ngrams = new Set();
    for (let i = 0; i + n <= index.wordCount; i++) ngrams.add(ngramKey(index.encoded, i, n));
    index.ngramsByN.set(n, ngrams);
  }
  return ngrams;
}

// An id no source word has, for output words the source lacks: any n-gram holding it cannot match.
const NOT_IN_SOURCE = 0xffffffff;

export const verbatimCopy: Evaluator = {
  id: ID,
  tier: 1,
  appliesTo: () => true,
  parseOptions: (options) => verbatimCopyOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const { max, n } = verbatimCopyOptions.parse(ctx.options);
    const words = tokenizeWords(candidate);
    const total = words.length - n + 1;
    if (total <= 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { share: 0, max, n, ngrams: 0 } };

    const index = indexSource(source);
    const copiedNgrams = sourceNgrams(index, n);
    const encoded = encodeWordIds(words.map((word) => index.vocabulary.get(word) ?? NOT_IN_SOURCE));
    let copied = 0;
    let run = 0;
    let longestRun = 0;
    for (let i = 0; i < total; i++) {
      if (copiedNgrams.has(ngramKey(encoded, i, n))) {
        copied++;
        longestRun = Math.max(longestRun, ++run);
      } else {
        run = 0;
      }
    }
    const share = copied / total;
    const details = {
      share: Math.round(share * 1000) / 1000,
      max,
      n,
      ngrams: total,
      // Overlapping n-grams in a row make one copied passage; its length in words helps find it when reviewing.
      longestCopiedWords: longestRun === 0 ? 0 : longestRun + n - 1,
    };
    return share > max
      ? { evaluator: ID, pass: false, score: 1 - share, reason: 'verbatim_copy', details }
      : { evaluator: ID, pass: true, score: 1 - share, reason: 'ok', details };
  },
};
