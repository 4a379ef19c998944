// Tier 1: a rewrite that says the opposite of its source. Each output word is compared with the places in
// the source where it stands among the same neighbours (see src/polarity.ts): a negation (not, no, never,
// without, n't, …) on one side only, or a word replaced by its opposite ("easy" → "difficult", "able" →
// "unable"), rejects the candidate.
import { z } from 'zod';
import { attributeOutput, indexSource, positionsOf, type SourceIndex } from '../src/attribution.js';
import type { Token } from '../src/content-words.js';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import { findPolarityFlips, negatedTokens, type PolarityFlip } from '../src/polarity.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'negation-flip';

export const negationFlipOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Also catch words replaced by their opposites, not only negations. Default true. */
    antonyms: z.boolean().default(true),
    /** How the output is cut into units (see the attribution evaluator). Default `auto`. */
    shape: z.enum(['auto', 'sentences', 'bullets', 'answers']).default('auto'),
  }),
);

export interface NegationFlipFinding extends PolarityFlip {
  /** The output unit holding the flip. */
  sentence: string;
  outputStart: number;
  outputEnd: number;
}

const negatedInSource = new WeakMap<SourceIndex, Uint8Array>();

function sourceNegations(index: SourceIndex): Uint8Array {
  let negated = negatedInSource.get(index);
  if (negated === undefined) {
    negated = negatedTokens(index.text, index.tokens);
    negatedInSource.set(index, negated);
  }
  return negated;
}

function firstTokenAtOrAfter(tokens: readonly Token[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid]?.start ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Token range of the sentences [start, end) covers, widened by one sentence each side. */
function spanAround(index: SourceIndex, start: number, end: number): [number, number] {
  const first = index.sentences.findIndex((s) => s.end > start);
  let last = first;
  while (last + 1 < index.sentences.length && (index.sentences[last + 1]?.start ?? Infinity) < end) last++;
  const from = index.sentenceTokens[Math.max(0, first - 1)]?.[0] ?? 0;
  const to = index.sentenceTokens[Math.min(index.sentences.length - 1, last + 1)]?.[1] ?? index.tokens.length;
  return [from, to];
}

export const negationFlip: Evaluator = {
  id: ID,
  tier: 1,
  appliesTo: () => true,
  parseOptions: (options) => negationFlipOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = negationFlipOptions.parse(ctx.options);
    const index = indexSource(source);
    const { units, tokens } = attributeOutput(source, candidate, { shape: options.shape });
    const output = { text: candidate, tokens, positions: positionsOf(tokens) };
    const sourceSide = { text: source, tokens: index.tokens, positions: index.positions };
    const findings: NegationFlipFinding[] = [];
    for (const unit of units) {
      const from = firstTokenAtOrAfter(tokens, unit.outputStart);
      const to = firstTokenAtOrAfter(tokens, unit.outputEnd);
      for (const flip of findPolarityFlips(output, from, to, sourceSide, sourceNegations(index), { antonyms: options.antonyms, span: spanAround(index, unit.sourceStart, unit.sourceEnd) })) {
        findings.push({ ...flip, sentence: unit.sentence, outputStart: unit.outputStart, outputEnd: unit.outputEnd });
      }
    }
    const details = { flips: findings.slice(0, 5), count: findings.length };
    if (findings.length === 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details };
    return { evaluator: ID, pass: false, score: 0, reason: 'negation_flip', details };
  },
};
