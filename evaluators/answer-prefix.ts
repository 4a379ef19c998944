// Tier 0: styles that ask the model to open with a fixed label get it checked here. A label that is only a marker
// ("Rewritten text:") is stripped so later evaluators and the ledger see the answer without it; a label that is
// part of the format (the qa style's first "Question:") is kept with `strip: false`.
import { z } from 'zod';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'answer-prefix';

export const answerPrefixOptions = defineEvaluatorOptions(ID, z.strictObject({ strip: z.boolean().default(true) }));

export const answerPrefix = {
  id: ID,
  tier: 0,
  appliesTo: (style) => style.answerPrefix !== undefined && style.answerPrefix.trim() !== '',
  parseOptions: (options) => answerPrefixOptions.parse(options),
  evaluate(_source, candidate, ctx): Verdict {
    const { strip } = answerPrefixOptions.parse(ctx.options);
    // Trailing whitespace of the prefix is not required: a template may say "Answer:\n" and the model answer
    // "Answer: ..." on the same line, which is just as usable.
    const prefix = (ctx.style.answerPrefix ?? '').trimEnd();
    if (prefix === '') return { evaluator: ID, pass: true, score: 1, reason: 'ok' };
    const text = candidate.trimStart();
    if (!text.startsWith(prefix)) {
      return {
        evaluator: ID,
        pass: false,
        score: 0,
        reason: 'missing_prefix',
        details: { expected: prefix, found: text.slice(0, Math.max(prefix.length, 40)) },
      };
    }
    return { evaluator: ID, pass: true, score: 1, reason: 'ok', cleaned: strip ? text.slice(prefix.length).trim() : text.trim() };
  },
} satisfies Evaluator;
