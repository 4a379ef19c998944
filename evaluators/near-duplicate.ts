// Tier 2: an output nearly identical (estimated Jaccard ≥ 0.8 on word shingles) to an earlier accepted output
// of the same style means the model is filling in a template rather than rewriting this source. The
// evaluator is a pure function of (source, candidate, context) plus the index it is bound to; it only
// queries. Whoever accepts outputs (the engine, `reword judge`) adds them with `index.add(style, id, text)`.
import { z } from 'zod';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { NearDuplicateIndex } from '../src/near-duplicates.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'near-duplicate';

export const nearDuplicateOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Estimated Jaccard similarity at or above which an output duplicates an earlier one. Default: the index's (0.8). */
    threshold: fraction().optional(),
  }),
);

/** A near-duplicate evaluator that consults `index`: one index per run, shared by all of its styles. */
export function createNearDuplicateEvaluator(index: NearDuplicateIndex): Evaluator {
  return {
    id: ID,
    tier: 2,
    usesRunState: true,
    appliesTo: () => true,
    parseOptions: (options) => nearDuplicateOptions.parse(options),
    evaluate(_source, candidate, ctx): Verdict {
      const { threshold } = nearDuplicateOptions.parse(ctx.options);
      const match = index.find(ctx.style.id, candidate, threshold);
      if (match === null) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { compared: index.size(ctx.style.id) } };
      return {
        evaluator: ID,
        pass: false,
        score: 1 - match.similarity,
        reason: 'near_duplicate_output',
        details: { duplicateOf: match.id, similarity: match.similarity },
      };
    },
  };
}

/**
 * The index behind the registered `near-duplicate` evaluator. A process that runs one run at a time (the
 * CLI) adds accepted outputs here; a library user running several runs at once binds an index of their own
 * with createNearDuplicateEvaluator and a registry of their own.
 */
export const defaultNearDuplicateIndex = new NearDuplicateIndex();

export const nearDuplicate: Evaluator = createNearDuplicateEvaluator(defaultNearDuplicateIndex);
