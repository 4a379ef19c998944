// Tier 1: a "rephrase" that mostly copies its source teaches the model nothing new. Measured as the share of the
// output's word n-grams (8 by default, lower-cased, punctuation stripped) that also occur in the source.
import { z } from 'zod';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { memoizeRecent } from '../src/recent-memo.js';
import type { Evaluator, Verdict } from '../src/types.js';
import { NgramTable, wordScanOf } from '../src/word-ngrams.js';

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

/** A source's n-gram table for each n asked so far. */
const sourceTables = memoizeRecent((_source: string) => new Map<number, NgramTable>());

function sourceNgrams(source: string, n: number): NgramTable {
  const tables = sourceTables(source);
  let table = tables.get(n);
  if (table === undefined) {
    const { ids } = wordScanOf(source);
    table = new NgramTable();
    table.reset(ids, n);
    for (let i = 0; i + n <= ids.length; i++) table.add(i);
    tables.set(n, table);
  }
  return table;
}

export const verbatimCopy = {
  id: ID,
  tier: 1,
  appliesTo: () => true,
  parseOptions: (options) => verbatimCopyOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const { max, n } = verbatimCopyOptions.parse(ctx.options);
    const { ids } = wordScanOf(candidate);
    const total = ids.length - n + 1;
    if (total <= 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { share: 0, max, n, ngrams: 0 } };

    const sourceTable = sourceNgrams(source, n);
    let copied = 0;
    let run = 0;
    let longestRun = 0;
    for (let i = 0; i < total; i++) {
      if (sourceTable.lookup(ids, i) >= 0) {
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
} satisfies Evaluator;
