// Analyses that evaluators share through caches (a source's names, the signature of the output just looked up)
// must give what a fresh computation gives, whatever was asked before.
import { describe, expect, it } from 'vitest';
import { indexSource } from '../../src/attribution.js';
import { tokenize } from '../../src/tokenize.js';
import { entitiesOf, findEntities } from '../../src/entities.js';
import { NearDuplicateIndex } from '../../src/near-duplicates.js';
import { FAITHFUL, SOURCE } from './fixtures.js';

const OTHER = 'Hilda Okonkwo of the Northern Tidal Authority said the Guild of Weavers and the QPX were told on Tuesday.';

describe('entitiesOf', () => {
  it('gives the mentions findEntities gives, for each text in turn and again', () => {
    for (const text of [SOURCE, FAITHFUL, OTHER, SOURCE, OTHER]) {
      const tokens = indexSource(text).tokens;
      expect(entitiesOf(text, tokens)).toEqual(findEntities(text, tokenize(text)));
    }
  });

  it('does not hand one text the mentions of another tokenised alike', () => {
    const tokens = tokenize(OTHER);
    const first = entitiesOf(OTHER, tokens);
    // The same offsets over an upper-cased text: other mentions, so the cache must not answer.
    const upper = OTHER.toUpperCase();
    expect(entitiesOf(upper, tokens)).toEqual(findEntities(upper, tokens));
    expect(entitiesOf(OTHER, tokens)).toEqual(first);
  });
});

describe('NearDuplicateIndex signatures', () => {
  it('are the same when asked again, after another text, and from a fresh index', () => {
    const index = new NearDuplicateIndex();
    const first = index.signature(FAITHFUL);
    expect(index.signature(FAITHFUL)).toEqual(first);
    index.signature(OTHER);
    expect(index.signature(FAITHFUL)).toEqual(first);
    expect(new NearDuplicateIndex().signature(FAITHFUL)).toEqual(first);
  });

  it('are copies: changing one returned does not change the next', () => {
    const index = new NearDuplicateIndex();
    const first = index.signature(FAITHFUL);
    const kept = first.slice();
    first.fill(0);
    expect(index.signature(FAITHFUL)).toEqual(kept);
  });

  it('add after find records the text as add alone does', () => {
    const looked = new NearDuplicateIndex();
    const plain = new NearDuplicateIndex();
    for (const [i, text] of [SOURCE, OTHER, FAITHFUL].entries()) {
      looked.find('wiki', text);
      looked.add('wiki', String(i), text);
      plain.add('wiki', String(i), text);
    }
    const edited = FAITHFUL.replace('Roughly', 'About');
    expect(looked.find('wiki', edited)).toEqual(plain.find('wiki', edited));
    expect(looked.find('wiki', OTHER)).toEqual({ id: '1', similarity: 1 });
  });
});
