// Tier 1: every sentence of a faithful rewrite must be supported by its source. Each output unit (sentence,
// bullet, or answer of a Q/A pair) is traced to the one to three adjacent source sentences sharing most of
// its content words; a unit whose support falls below `min`, or whose words have traded roles relative to
// that span ("A beat B" written as "B beat A"), rejects the candidate. The verdict carries the attributions
// of every unit, which the ledger stores for accepted outputs.
import { z } from 'zod';
import { attributeOutput, toAttributions, type Attribution, type UnitAttribution } from '../src/attribution.js';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import type { RoleSwap } from '../src/roles.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'attribution';
/** Unsupported units listed in a verdict's details; the rest are counted. */
const LISTED = 5;

export const attributionOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Smallest support (0..1) a unit may have. Default 0.55. */
    min: fraction().default(0.55),
    /**
     * Smallest support when the source is speech (a transcript or chat, in the first and second person): its
     * summaries report what was said in their own words. Default 0.2.
     */
    conversationMin: fraction().default(0.2),
    /** How the output is cut into units: `auto` recognises Q/A pairs and bullet lists. Default `auto`. */
    shape: z.enum(['auto', 'sentences', 'bullets', 'answers']).default('auto'),
    /** Most adjacent source sentences one unit may draw on. Default 3. */
    maxSpanSentences: z.number().int().min(1).max(8).default(3),
    /** Credit for a word found in the source outside the unit's span. Default 0.5. */
    elsewhereCredit: fraction().default(0.5),
    /** Credit for a word the source lacks standing where a source word stood (a likely synonym). Default 1. */
    substituteCredit: fraction().default(1),
    /** Reject a unit whose words traded roles relative to its span. Default true. */
    roleSwaps: z.boolean().default(true),
  }),
);

/** An output unit that failed, as listed in the verdict. */
export interface UnsupportedUnit {
  sentence: string;
  support: number;
  /** Content words found nowhere in the source. */
  missing: string[];
  swaps: RoleSwap[];
  /** The best source span found, for comparison. */
  sourceText: string;
  outputStart: number;
  outputEnd: number;
}

/** `details` of an attribution verdict; `attributions` is what the ledger stores for an accepted output. */
export interface AttributionDetails {
  shape: string;
  /** The threshold applied: `min`, or `conversationMin` for a source that reads as speech. */
  min: number;
  attributions: Attribution[];
  unsupported: UnsupportedUnit[];
  unsupportedCount: number;
}

function describe(unit: UnitAttribution): UnsupportedUnit {
  const { sentence, support, missing, swaps, sourceText, outputStart, outputEnd } = unit;
  return { sentence, support, missing, swaps, sourceText, outputStart, outputEnd };
}

export const attribution: Evaluator = {
  id: ID,
  tier: 1,
  // An augmenting style adds knowledge on purpose: its sentences need not all come from the source.
  appliesTo: (style) => style.kind === 'faithful',
  parseOptions: (options) => attributionOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = attributionOptions.parse(ctx.options);
    const { shape, units, conversational } = attributeOutput(source, candidate, {
      shape: options.shape,
      maxSpanSentences: options.maxSpanSentences,
      elsewhereCredit: options.elsewhereCredit,
      substituteCredit: options.substituteCredit,
    });
    const min = conversational ? Math.min(options.min, options.conversationMin) : options.min;
    const failing = units.filter((u) => u.support < min || (options.roleSwaps && u.swaps.length > 0));
    const details: AttributionDetails = {
      shape,
      min,
      attributions: toAttributions(units),
      unsupported: failing.slice(0, LISTED).map(describe),
      unsupportedCount: failing.length,
    };
    // A swapped unit counts as half supported: its words are there, their roles are not.
    const unitScore = (u: UnitAttribution) => (options.roleSwaps && u.swaps.length > 0 ? u.support / 2 : u.support);
    const score = units.length === 0 ? 1 : Math.min(...units.map(unitScore));
    if (failing.length === 0) return { evaluator: ID, pass: true, score, reason: 'ok', details: { ...details } };
    return { evaluator: ID, pass: false, score, reason: 'unsupported_sentence', details: { ...details } };
  },
};
