// Tier 0: nothing usable came back — an empty answer, one cut off at the token limit, or one the provider filtered.
import { z } from 'zod';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'empty-output';

export const emptyOutputOptions = defineEvaluatorOptions(ID, z.strictObject({}));

// Zero-width characters and the BOM are not \s in JavaScript, but an answer made only of them is still empty.
const VISIBLE = /[^\s\u200B-\u200D\u2060\uFEFF]/u;

export const emptyOutput = {
  id: ID,
  tier: 0,
  appliesTo: () => true,
  parseOptions: (options) => emptyOutputOptions.parse(options),
  evaluate(_source, candidate, ctx): Verdict {
    emptyOutputOptions.parse(ctx.options);
    const details = { finishReason: ctx.finishReason, chars: candidate.length };
    // The finish reason is checked first: an empty answer that was filtered or truncated says more by that reason.
    if (ctx.finishReason === 'content_filter') return fail('content_filtered', details);
    if (ctx.finishReason === 'length') return fail('truncated', details);
    if (!VISIBLE.test(candidate)) return fail('empty_output', details);
    return { evaluator: ID, pass: true, score: 1, reason: 'ok' };
  },
} satisfies Evaluator;

function fail(reason: string, details: Record<string, unknown>): Verdict {
  return { evaluator: ID, pass: false, score: 0, reason, details };
}
