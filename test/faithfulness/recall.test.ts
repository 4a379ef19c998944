import { describe, expect, it } from 'vitest';
import { recall } from '../../evaluators/recall.js';
import { context, FAITHFUL, SOURCE, verdictOf } from './fixtures.js';

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) => verdictOf(recall, source, candidate, context(options));

describe('recall evaluator', () => {
  it('passes a rewrite that keeps the facts', () => {
    expect(judge(FAITHFUL)).toMatchObject({ pass: true, reason: 'ok' });
  });

  it('rejects a rewrite that drops most numbers and names, listing some of them', () => {
    const verdict = judge('A bridge in a big city carries cars, trains and bikes.');
    expect(verdict).toMatchObject({ pass: false, reason: 'low_recall' });
    expect((verdict.details as { missing: string[] }).missing).toEqual(expect.arrayContaining(['1932', 'Dorman Long', '503']));
    expect(verdict.score).toBeLessThan(0.5);
  });

  it('uses the style floor given as min', () => {
    const partial = 'The Harbour Bridge in Sydney opened in 1932; John Bradfield designed it.';
    const share = judge(partial).score;
    expect(judge(partial, { min: share - 0.01 }).pass).toBe(true);
    expect(judge(partial, { min: share + 0.01 }).pass).toBe(false);
  });

  it('does not judge a source with too few facts to lose', () => {
    expect(judge('It rained.', {}, 'It rained all day in Oslo.')).toMatchObject({ pass: true, details: { recall: null } });
  });
});
