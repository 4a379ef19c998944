import { describe, expect, it } from 'vitest';
import { builtinEvaluators, registryOf, resolveEvaluators, UnknownEvaluatorError } from '../../evaluators/index.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import type { Evaluator } from '../../src/types.js';

describe('the evaluator registry', () => {
  it('holds the cheap built-in evaluators under their ids', () => {
    for (const id of ['empty-output', 'answer-prefix', 'preamble', 'length-ratio', 'repetition', 'verbatim-copy', 'novel-numbers']) {
      expect(builtinEvaluators.get(id)?.id).toBe(id);
    }
    for (const [id, evaluator] of builtinEvaluators) expect(evaluator.id).toBe(id);
  });

  it('refuses two evaluators with one id', () => {
    const evaluator = builtinEvaluators.get('preamble')!;
    expect(() => registryOf([evaluator, { ...evaluator }])).toThrow(/two evaluators have the id "preamble"/);
  });
});

describe('resolveEvaluators', () => {
  it('looks up each evaluator and fills in its default options', () => {
    const resolved = resolveEvaluators([
      { id: 'repetition', options: {} },
      { id: 'verbatim-copy', options: { max: 0.6 } },
    ]);
    expect(resolved.map((r) => r.evaluator.id)).toEqual(['repetition', 'verbatim-copy']);
    expect(resolved[0]!.options).toMatchObject({ maxDuplicateLineFraction: 0.3, maxTopNgramCharFraction: { '2': 0.2 } });
    expect(resolved[1]!.options).toEqual({ max: 0.6, n: 8 });
  });

  it('names the unknown evaluator and lists the known ones', () => {
    const resolve = () => resolveEvaluators([{ id: 'verbatim', options: {} }]);
    expect(resolve).toThrow(UnknownEvaluatorError);
    const known = [...builtinEvaluators.keys()].sort();
    expect(known).toEqual(expect.arrayContaining(['answer-prefix', 'empty-output', 'preamble', 'verbatim-copy']));
    expect(resolve).toThrow(`unknown evaluator "verbatim"; known evaluators: ${known.join(', ')}`);
  });

  it('fails on bad options when resolving, not on the first candidate', () => {
    expect(() => resolveEvaluators([{ id: 'verbatim-copy', options: { max: 2 } }])).toThrow(EvaluatorOptionsError);
    expect(() => resolveEvaluators([{ id: 'novel-numbers', options: { ignoreListMarker: true } }])).toThrow(
      /evaluator "novel-numbers", option "ignoreListMarker": unknown option/,
    );
  });

  it('refuses an evaluator listed twice', () => {
    expect(() => resolveEvaluators([{ id: 'preamble', options: {} }, { id: 'preamble', options: {} }])).toThrow(/"preamble" is listed twice/);
  });

  it('resolves against another registry, keeping options of evaluators that do not check theirs', () => {
    const custom: Evaluator = { id: 'custom', tier: 2, appliesTo: () => true, evaluate: () => ({ evaluator: 'custom', pass: true, score: 1, reason: 'ok' }) };
    const resolved = resolveEvaluators([{ id: 'custom', options: { k: 1 } }], registryOf([custom]));
    expect(resolved).toEqual([{ evaluator: custom, options: { k: 1 } }]);
  });
});
