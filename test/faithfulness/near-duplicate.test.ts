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

  it('keeps the latest `capacity` outputs of a group, across many evictions', () => {
    const index = new NearDuplicateIndex({ capacity: 8 });
    const text = (i: number) => `Output ${i} of the run says that harbour wall number ${i} was rebuilt in year ${1900 + i} by crew ${i * 3}.`;
    for (let i = 0; i < 300; i++) index.add('wiki', `out-${i}`, text(i));
    expect(index.size('wiki')).toBe(8);
    for (let i = 292; i < 300; i++) expect(index.find('wiki', text(i))).toMatchObject({ id: `out-${i}`, similarity: 1 });
    for (const i of [0, 150, 291]) expect(index.find('wiki', text(i))?.id).not.toBe(`out-${i}`);
    index.add('qa', 'qa-0', text(0)); // each group has its own window
    expect(index.find('qa', text(0))).toMatchObject({ id: 'qa-0' });
    expect(index.size()).toBe(9);
  });

  it('finds a live output that shares buckets with an evicted one', () => {
    const index = new NearDuplicateIndex({ capacity: 2 });
    index.add('wiki', 'old', FAITHFUL);
    index.add('wiki', 'newer', FAITHFUL.replace('Roughly', 'About'));
    index.add('wiki', 'other', OTHER); // evicts "old"; the buckets it shared with "newer" stay, headed by "newer"
    expect(index.find('wiki', FAITHFUL)).toMatchObject({ id: 'newer' });
    index.add('wiki', 'other-2', `${OTHER} Again.`); // evicts "newer"
    expect(index.find('wiki', FAITHFUL)).toBeNull();
  });

  it('checks its options', () => {
    expect(() => new NearDuplicateIndex({ numHashes: 100, bands: 32 })).toThrow(/bands/);
    expect(() => new NearDuplicateIndex({ threshold: 0 })).toThrow(/threshold/);
    expect(() => new NearDuplicateIndex({ capacity: 2.5 })).toThrow(/capacity/);
    expect(new NearDuplicateIndex().capacity).toBe(10_000);
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
