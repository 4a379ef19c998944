// Tier 1: a style that promises completeness (wiki, distill, extract-knowledge, easy, hard) must keep the
// source's facts. Recall here is the share of the source's numbers and named entities that the output
// mentions; below the style's floor `min`, the candidate is rejected. A source with fewer than `minFacts`
// facts passes: dropping one of two is not a measurable loss.
import { z } from 'zod';
import { indexSource } from '../src/attribution.js';
import type { Token } from '../src/content-words.js';
import { tokenizeRecent } from '../src/tokenize.js';
import { demonymKey, entitiesOf, lazyDemonymKeys } from '../src/entities.js';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { memoizeRecent } from '../src/recent-memo.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'recall';
const LISTED = 10;

export const recallOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Smallest share of the source's numbers and names the output must keep. Default 0.5. */
    min: fraction().default(0.5),
    /** Sources with fewer distinct facts than this pass unchecked. Default 4. */
    minFacts: z.number().int().min(1).default(4),
  }),
);

interface SourceFact {
  /** As first written in the source. */
  text: string;
  /** Any one of these keys in the output recalls the fact. */
  keys: string[];
}

function numberFacts(tokens: readonly Token[]): SourceFact[] {
  // Digits only: "one" and "first" are too common to count as facts.
  return tokens.filter((t) => t.kind === 'number' && /^\d/.test(t.raw)).map((t) => ({ text: t.raw, keys: [t.norm] }));
}

/** The distinct numbers and names of a source, each with the keys that recall it. */
const sourceFacts = memoizeRecent((source: string): SourceFact[] => {
  const tokens = indexSource(source).tokens;
  const facts = new Map<string, SourceFact>();
  for (const fact of numberFacts(tokens)) if (!facts.has(`#${fact.keys[0]}`)) facts.set(`#${fact.keys[0]}`, fact);
  for (const mention of entitiesOf(source, tokens)) {
    // A person is recalled by their surname, an organisation by its last word: "Okonkwo" recalls "Hilda Okonkwo".
    const head = mention.keys[mention.keys.length - 1];
    if (head === undefined || head.length < 2) continue;
    const id = mention.keys.join(' ');
    if (!facts.has(id)) facts.set(id, { text: mention.text, keys: [head, ...mention.keys.filter((k) => k.length > 3)] });
  }
  return [...facts.values()];
});

export const recall: Evaluator = {
  id: ID,
  tier: 1,
  appliesTo: () => true,
  parseOptions: (options) => recallOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = recallOptions.parse(ctx.options);
    const facts = sourceFacts(source);
    if (facts.length < options.minFacts) {
      return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { facts: facts.length, recall: null } };
    }
    // The output recalls a key when it has the key or its nationality form, as a word or as a word's nationality
    // form; the latter, rarely needed, is computed only when the plain words do not settle it.
    const tokens = tokenizeRecent(candidate);
    const words = new Set<string>();
    for (const t of tokens) words.add(t.norm);
    const demonyms = lazyDemonymKeys(tokens);
    const recalled = (key: string): boolean => {
      const demonym = demonymKey(key);
      return words.has(key) || words.has(demonym) || demonyms().has(key) || demonyms().has(demonym);
    };
    const missing = facts.filter((f) => !f.keys.some(recalled));
    const share = 1 - missing.length / facts.length;
    const details = {
      facts: facts.length,
      recall: Math.round(share * 1000) / 1000,
      min: options.min,
      missing: missing.slice(0, LISTED).map((f) => f.text),
    };
    if (share >= options.min) return { evaluator: ID, pass: true, score: share, reason: 'ok', details };
    return { evaluator: ID, pass: false, score: share, reason: 'low_recall', details };
  },
};
