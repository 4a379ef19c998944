// The evaluators a style's front matter can name. To add one: write evaluators/<id>.ts exporting an Evaluator,
// then add one line to BUILTIN below.
import type { ResolvedEvaluator } from '../src/judge.js';
import type { Evaluator, EvaluatorRef } from '../src/types.js';
import { alteredQuote } from './altered-quote.js';
import { answerPrefix } from './answer-prefix.js';
import { attribution } from './attribution.js';
import { emptyOutput } from './empty-output.js';
import { language } from './language.js';
import { lengthRatio } from './length-ratio.js';
import { llmJudge } from './llm-judge.js';
import { nearDuplicate } from './near-duplicate.js';
import { negationFlip } from './negation-flip.js';
import { novelEntities } from './novel-entities.js';
import { novelNumbers } from './novel-numbers.js';
import { preamble } from './preamble.js';
import { recall } from './recall.js';
import { repetition } from './repetition.js';
import { verbatimCopy } from './verbatim-copy.js';

export { alteredQuoteOptions } from './altered-quote.js';
export { answerPrefixOptions } from './answer-prefix.js';
export { attributionOptions } from './attribution.js';
export { emptyOutputOptions } from './empty-output.js';
export { languageOptions } from './language.js';
export { lengthRatioOptions } from './length-ratio.js';
export { llmJudgeOptions } from './llm-judge.js';
export { defaultNearDuplicateIndex, createNearDuplicateEvaluator, nearDuplicateOptions } from './near-duplicate.js';
export { negationFlipOptions } from './negation-flip.js';
export { novelEntitiesOptions } from './novel-entities.js';
export { novelNumbersOptions } from './novel-numbers.js';
export { preambleOptions } from './preamble.js';
export { recallOptions } from './recall.js';
export { repetitionOptions } from './repetition.js';
export { verbatimCopyOptions } from './verbatim-copy.js';

const BUILTIN: readonly Evaluator[] = [
  emptyOutput,
  answerPrefix,
  preamble,
  lengthRatio,
  novelNumbers,
  repetition,
  verbatimCopy,
  novelEntities,
  negationFlip,
  alteredQuote,
  attribution,
  recall,
  language,
  nearDuplicate,
  llmJudge,
];

export const builtinEvaluators: ReadonlyMap<string, Evaluator> = registryOf(BUILTIN);

/** A style names an evaluator the registry does not have. */
export class UnknownEvaluatorError extends Error {
  constructor(
    readonly id: string,
    readonly known: readonly string[],
  ) {
    super(`unknown evaluator "${id}"; known evaluators: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownEvaluatorError';
  }
}

/** Builds a registry keyed by id; throws if two evaluators share one. */
export function registryOf(evaluators: readonly Evaluator[]): ReadonlyMap<string, Evaluator> {
  const registry = new Map<string, Evaluator>();
  for (const evaluator of evaluators) {
    if (registry.has(evaluator.id)) throw new Error(`two evaluators have the id "${evaluator.id}"`);
    registry.set(evaluator.id, evaluator);
  }
  return registry;
}

/**
 * Looks up a style's evaluators and checks their options, filling defaults, so that a bad front matter fails when
 * styles load rather than on the first candidate. Throws UnknownEvaluatorError or EvaluatorOptionsError.
 */
export function resolveEvaluators(refs: readonly EvaluatorRef[], registry: ReadonlyMap<string, Evaluator> = builtinEvaluators): ResolvedEvaluator[] {
  const seen = new Set<string>();
  return refs.map((ref) => {
    const evaluator = registry.get(ref.id);
    if (evaluator === undefined) throw new UnknownEvaluatorError(ref.id, [...registry.keys()].sort());
    // Verdicts are recorded per evaluator id, so one evaluator twice would make two rows indistinguishable.
    if (seen.has(ref.id)) throw new Error(`evaluator "${ref.id}" is listed twice`);
    seen.add(ref.id);
    return { evaluator, options: evaluator.parseOptions?.(ref.options) ?? ref.options };
  });
}
