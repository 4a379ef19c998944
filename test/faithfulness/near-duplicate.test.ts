import { describe, expect, it } from 'vitest';
import { createNearDuplicateEvaluator } from '../../evaluators/near-duplicate.js';
import { NearDuplicateIndex } from '../../src/near-duplicates.js';
import { context, FAITHFUL, verdictOf } from './fixtures.js';

const OTHER =
  'Lake Baikal in Siberia is the deepest lake on Earth, reaching 1,642 metres, and holds about a fifth of the unfrozen fresh water on the planet.';

describe('NearDuplicateIndex', () => {
  it('estimates Jaccard similarity of word shingles', () => {
    const index = new NearDuplicateIndex();
    const same = index.similarity(index.signature(FAITHFUL), index.signature(FAITHFUL.toUpperCase()));
    const unrelated = index.similarity(index.signature(FAITHFUL), index.signature(OTHER));
    expect(same).toBe(1);
    expect(unrelated).toBeLessThan(0.1);
  });

  it('finds an earlier output that differs by a word, only within its group', () => {
    const index = new NearDuplicateIndex();
    index.add('wiki', 'doc-1', FAITHFUL);
    index.add('wiki', 'doc-2', OTHER);
    const edited = FAITHFUL.replace('Roughly', 'About');
    expect(index.find('wiki', edited)).toMatchObject({ id: 'doc-1' });
    expect(index.find('wiki', edited)!.similarity).toBeGreaterThan(0.8);
    expect(index.find('easy', edited)).toBeNull();
    expect(index.size('wiki')).toBe(2);
  });

  it('checks its options', () => {
    expect(() => new NearDuplicateIndex({ numHashes: 100, bands: 32 })).toThrow(/bands/);
    expect(() => new NearDuplicateIndex({ threshold: 0 })).toThrow(/threshold/);
  });
});

describe('near-duplicate evaluator', () => {
  it('rejects a near copy of an accepted output of the same style, and only queries', () => {
    const index = new NearDuplicateIndex();
    const evaluator = createNearDuplicateEvaluator(index);
    const ctx = context();
    expect(verdictOf(evaluator, 'source', FAITHFUL, ctx)).toMatchObject({ pass: true });
    expect(index.size()).toBe(0); // judging does not record: only accepted outputs are added
    index.add(ctx.style.id, 'task-7', FAITHFUL);
    expect(verdictOf(evaluator, 'source', `${FAITHFUL} `, ctx)).toMatchObject({
      pass: false,
      reason: 'near_duplicate_output',
      details: { duplicateOf: 'task-7' },
    });
    expect(verdictOf(evaluator, 'source', OTHER, ctx).pass).toBe(true);
    expect(verdictOf(evaluator, 'source', FAITHFUL, context({}, { id: 'easy' })).pass).toBe(true);
  });
});
