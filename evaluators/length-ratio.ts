// Tier 0: an output far shorter than its source has dropped content; one far longer has usually added some.
import { z } from 'zod';
import { defineEvaluatorOptions, EvaluatorOptionsError } from '../src/evaluator-options.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'length-ratio';

export const lengthRatioOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Smallest output/source character ratio accepted; default: the style's `length_ratio.min`. */
    min: z.number().nonnegative().optional(),
    /** Largest output/source character ratio accepted; default: the style's `length_ratio.max`. */
    max: z.number().positive().optional(),
  }),
);

export const lengthRatio = {
  id: ID,
  tier: 0,
  appliesTo: () => true,
  parseOptions: (options) => lengthRatioOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = lengthRatioOptions.parse(ctx.options);
    const min = options.min ?? ctx.style.lengthRatio.min;
    const max = options.max ?? ctx.style.lengthRatio.max;
    if (min > max) {
      throw new EvaluatorOptionsError(ID, options.min !== undefined ? 'min' : 'max', `min (${min}) is above max (${max}) for style "${ctx.style.id}"`);
    }
    const sourceChars = source.trim().length;
    const outputChars = candidate.trim().length;
    const ratio = sourceChars === 0 ? (outputChars === 0 ? 1 : Infinity) : outputChars / sourceChars;
    const details = { ratio: round(ratio), min, max, sourceChars, outputChars };
    // The score is how far inside the bound the ratio would have to move, as a factor: 0.5 means half of min
    // (or twice max), so candidates that miss narrowly rank above those that miss widely.
    if (ratio < min) return { evaluator: ID, pass: false, score: ratio / min, reason: 'too_short', details };
    if (ratio > max) return { evaluator: ID, pass: false, score: max / ratio, reason: 'too_long', details };
    return { evaluator: ID, pass: true, score: 1, reason: 'ok', details };
  },
} satisfies Evaluator;

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}
