// Tier 1: a quotation in the rewrite that its source words differently. Words between quotation marks claim
// to be the source's own; a rewrite may leave words out of a quotation but not replace or add any. A
// quotation of at least `minWords` words that mostly matches one stretch of the source (`recognisable`
// of its words, in order) but not wholly is an altered quotation, the kind of change a reader trusts
// most. A quotation that matches nothing in the source is not this check's to judge: attribution finds
// its sentence unsupported.
import { z } from 'zod';
import { indexSource, type SourceIndex } from '../src/attribution.js';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { findQuotations, keyPositions, matchQuotation } from '../src/quotations.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'altered-quote';

export const alteredQuoteOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Shortest quotation checked, in words; shorter ones are titles and scare quotes ("Metropolis"). Default 3. */
    minWords: z.number().int().min(1).default(3),
    /** Share of a quotation's words that must match the source, in order, for it to count as quoting it. Default 0.7. */
    recognisable: fraction().default(0.7),
  }),
);

export interface AlteredQuotation {
  /** The quotation as the rewrite has it. */
  quote: string;
  /** The closest stretch of the source. */
  source: string;
  /** Words of the quotation found there, in order, and all of its words. */
  matched: number;
  words: number;
}

const positionsOf = new WeakMap<SourceIndex, Map<string, number[]>>();

function sourcePositions(index: SourceIndex): Map<string, number[]> {
  let positions = positionsOf.get(index);
  if (positions === undefined) {
    positions = keyPositions(index.tokens);
    positionsOf.set(index, positions);
  }
  return positions;
}

export const alteredQuote: Evaluator = {
  id: ID,
  tier: 1,
  appliesTo: (style) => style.kind === 'faithful',
  parseOptions: (options) => alteredQuoteOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = alteredQuoteOptions.parse(ctx.options);
    const quotations = findQuotations(candidate);
    if (quotations.length === 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { quotations: 0 } };
    const index = indexSource(source);
    const altered: AlteredQuotation[] = [];
    let checked = 0;
    for (const quotation of quotations) {
      const match = matchQuotation(quotation.text, index.tokens, sourcePositions(index));
      if (match.words < options.minWords) continue;
      checked++;
      if (match.faithful || match.matched < options.recognisable * match.words) continue;
      const [from, to] = match.sourceTokens;
      const first = index.tokens[from];
      const last = index.tokens[to - 1];
      const quoted = first === undefined || last === undefined ? '' : source.slice(first.start, last.end);
      altered.push({ quote: quotation.text, source: quoted, matched: match.matched, words: match.words });
    }
    const details = { quotations: checked, altered };
    if (altered.length === 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details };
    return { evaluator: ID, pass: false, score: 1 - altered.length / checked, reason: 'altered_quote', details };
  },
};
