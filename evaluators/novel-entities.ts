// Tier 1: a name in the rewrite that its source never mentions is an added or swapped fact ("arrested in
// Paris" for "arrested in Lyon"). Names are capitalised words and runs (see src/entities.ts); each word of a
// name must occur in the source in any case, so "Okonkwo" is backed by "Hilda Okonkwo" and "the qpx" backs
// "QPX". Nationality words meet their country ("Mexican" / "Mexico"), and an acronym meets the initials of
// a name the source spells out ("NTA" / "Northern Tidal Authority"). In an output written all in lower
// case, a word the source never uses right before the surname of someone the source names ("nora quillby"
// where the source has "Ms Quillby") counts as a novel name.
import { z } from 'zod';
import { indexSource } from '../src/attribution.js';
import { tokenize, tokenizeRecent } from '../src/tokenize.js';
import {
  demonymKey, entitiesOf, findEntities, initialisms, isLowerCased, lazyDemonymKeys, namesBeforeKnownNames, surnamesOf, type EntityMention,
} from '../src/entities.js';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import { memoizeRecent } from '../src/recent-memo.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'novel-entities';

export const novelEntitiesOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Names accepted even when the source lacks them (matched word by word, any case). Default none. */
    allowed: z.array(z.string().min(1)).default([]),
  }),
);

/** What a source backs: every word it uses, nationality keys, and the initials of its names. */
interface SourceNames {
  words: Set<string>;
  /** Words the source uses as people's surnames. */
  surnames: Set<string>;
  /** The nationality keys of its words; made on first use, since most names are backed by a word. */
  demonyms: () => ReadonlySet<string>;
  initials: Set<string>;
}

const sourceNames = memoizeRecent((source: string): SourceNames => {
  const tokens = indexSource(source).tokens;
  const words = new Set<string>();
  for (const t of tokens) words.add(t.norm);
  const initials = initialisms(entitiesOf(source, tokens));
  for (const t of tokens) if (t.acronym) initials.add(t.raw.toLowerCase());
  return { words, surnames: surnamesOf(source, tokens), demonyms: lazyDemonymKeys(tokens), initials };
});

const allowedWords = memoizeRecent((allowed: readonly string[]): Set<string> => {
  const out = new Set<string>();
  for (const name of allowed) for (const t of tokenize(name)) out.add(t.norm);
  return out;
});

function backed(mention: EntityMention, names: SourceNames, allowed: Set<string>): boolean {
  const wordBacked = (key: string) =>
    key.length <= 1 || names.words.has(key) || allowed.has(key) || names.demonyms().has(demonymKey(key));
  if (mention.keys.every(wordBacked)) return true;
  const letters = mention.text.replace(/[^\p{L}]/gu, '');
  if (mention.kind === 'acronym' || /^(?:\p{Lu}\.){2,}$/u.test(mention.text)) return names.initials.has(letters.toLowerCase());
  // A name spelled out where the source only has its acronym.
  const initials = mention.text.split(/[\s-]+/).filter((w) => /^\p{Lu}/u.test(w)).map((w) => w[0]?.toLowerCase()).join('');
  return initials.length >= 2 && names.words.has(initials);
}

export const novelEntities: Evaluator = {
  id: ID,
  tier: 1,
  appliesTo: (style) => style.kind === 'faithful',
  parseOptions: (options) => novelEntitiesOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = novelEntitiesOptions.parse(ctx.options);
    const tokens = tokenizeRecent(candidate);
    const names = sourceNames(source);
    // A lower-cased output hides its names; the source's capitals show where they are.
    const mentions = isLowerCased(tokens)
      ? namesBeforeKnownNames(candidate, tokens, names.surnames, names.words)
      : findEntities(candidate, tokens);
    const allowed = allowedWords(options.allowed);
    const novel = mentions.filter((m) => !backed(m, names, allowed));
    const details = { entities: mentions.length, novel: [...new Set(novel.map((m) => m.text))] };
    if (novel.length === 0) return { evaluator: ID, pass: true, score: 1, reason: 'ok', details };
    return { evaluator: ID, pass: false, score: 1 - novel.length / mentions.length, reason: 'novel_entity', details };
  },
};
