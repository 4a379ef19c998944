// Tier 0: a number in the rewrite that its source never states is an invented or altered fact, the commonest kind
// a rephraser slips in. Numbers are compared by value across ways of writing them (see src/number-mentions.ts).
import { z } from 'zod';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import { canonicalNumber, digitMentions, fractionMentions, impliedSourceValues, toAsciiDigits, type NumberMention } from '../src/number-mentions.js';
import { wordMentions } from '../src/number-words.js';
import { memoizeRecent } from '../src/recent-memo.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'novel-numbers';
const PLAIN_NUMBER = /^(\d+)(?:\.(\d+))?$/;

export const novelNumbersOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Do not count "1." or "2)" at the start of a line: list numbering. Default true. */
    ignoreListMarkers: z.boolean().default(true),
    /** Numbers accepted even when the source lacks them, e.g. `[1, 2]`. Default none. */
    allowed: z
      .array(z.union([z.number().nonnegative(), z.string().regex(PLAIN_NUMBER, 'expected a number such as "12" or "2.5"')]))
      .default([]),
  }),
);

/** Every value a source backs, reading its numbers as generously as possible. */
const sourceValues = memoizeRecent((source: string): Set<string> => {
  const text = toAsciiDigits(source);
  const values = new Set<string>(impliedSourceValues(text));
  for (const mention of [...digitMentions(text, { ignoreListMarkers: false }, true), ...fractionMentions(text), ...wordMentions(text, true)]) {
    for (const reading of mention.readings) for (const value of reading) values.add(value);
  }
  return values;
});

export const novelNumbers = {
  id: ID,
  tier: 0,
  appliesTo: () => true,
  parseOptions: (options) => novelNumbersOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = novelNumbersOptions.parse(ctx.options);
    const text = toAsciiDigits(candidate);
    const mentions = [...digitMentions(text, options, false), ...fractionMentions(text), ...wordMentions(text, false)];
    if (mentions.length === 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { numbers: 0 } };

    const backed = sourceValues(source);
    const allowed = new Set(options.allowed.map(canonicalAllowed));
    const isBacked = (mention: NumberMention) =>
      mention.readings.some((reading) => reading.every((value) => backed.has(value) || allowed.has(value)));
    const novel = mentions.filter((mention) => !isBacked(mention)).sort((a, b) => a.index - b.index);
    if (novel.length === 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { numbers: mentions.length } };
    return {
      evaluator: ID,
      pass: false,
      score: 1 - novel.length / mentions.length,
      reason: 'novel_number',
      details: { novel: [...new Set(novel.map((mention) => mention.surface))], numbers: mentions.length },
    };
  },
} satisfies Evaluator;

function canonicalAllowed(value: number | string): string {
  const match = PLAIN_NUMBER.exec(typeof value === 'number' ? String(value) : value);
  // A number option such as 1e21 has no plain decimal form; it cannot match anything written in a text anyway.
  return match === null ? String(value) : canonicalNumber(match[1]!, match[2]);
}
