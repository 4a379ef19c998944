import { describe, expect, it } from 'vitest';
import { resolveEvaluators } from '../evaluators/index.js';
import { judgeCandidate, pickBest, type Judgement, type ResolvedEvaluators } from '../src/judge.js';
import type { EvalContext, Evaluator, Verdict } from '../src/types.js';
import { makeStyle, paragraphsOf, wikipediaText } from './evaluators/fixtures.js';

interface Call {
  id: string;
  candidate: string;
  ctx: EvalContext;
}

/** An evaluator that records its calls and answers as told. */
function fake(id: string, tier: Evaluator['tier'], answer: Partial<Verdict> = {}, calls: Call[] = [], appliesTo = true): Evaluator {
  return {
    id,
    tier,
    appliesTo: () => appliesTo,
    evaluate(_source, candidate, ctx) {
      calls.push({ id, candidate, ctx });
      return { evaluator: id, pass: true, score: 1, reason: 'ok', ...answer };
    },
  };
}

const resolved = (...evaluators: Evaluator[]): ResolvedEvaluators => evaluators.map((evaluator) => ({ evaluator, options: {} }));
const style = makeStyle();
const candidate = (text: string, finishReason = 'stop') => ({ text, finishReason });

describe('judgeCandidate', () => {
  it('runs evaluators cheapest tier first, keeping the listed order within a tier', async () => {
    const calls: Call[] = [];
    const evaluators = resolved(fake('model', 3, {}, calls), fake('cheap-a', 0, {}, calls), fake('stats', 1, {}, calls), fake('cheap-b', 0, {}, calls));
    const judgement = await judgeCandidate('source', candidate('text'), style, evaluators);
    expect(calls.map((call) => call.id)).toEqual(['cheap-a', 'cheap-b', 'stats', 'model']);
    expect(judgement.verdicts.map((verdict) => verdict.evaluator)).toEqual(['cheap-a', 'cheap-b', 'stats', 'model']);
    expect(judgement).toMatchObject({ pass: true, reasons: [], score: 1, cleaned: 'text' });
  });

  it('stops at the first failure, with a verdict from every evaluator that ran', async () => {
    const calls: Call[] = [];
    const evaluators = resolved(
      fake('first', 0, { score: 0.8 }, calls),
      fake('failing', 0, { pass: false, score: 0.2, reason: 'too_short' }, calls),
      fake('costly', 3, {}, calls),
    );
    const judgement = await judgeCandidate('source', candidate('text'), style, evaluators);
    expect(calls.map((call) => call.id)).toEqual(['first', 'failing']);
    expect(judgement).toMatchObject({ pass: false, reasons: ['too_short'] });
    expect(judgement.verdicts).toHaveLength(2);
    expect(judgement.score).toBeCloseTo(0.5);
  });

  it('hands each evaluator the text the previous ones cleaned, and keeps the last cleaning', async () => {
    const calls: Call[] = [];
    const evaluators = resolved(
      fake('strip', 0, { cleaned: 'without prefix' }, calls),
      fake('look', 1, {}, calls),
      fake('tidy', 2, { cleaned: 'tidied' }, calls),
      fake('after', 3, {}, calls),
    );
    const judgement = await judgeCandidate('source', candidate('Prefix: without prefix'), style, evaluators);
    expect(calls.map((call) => call.candidate)).toEqual(['Prefix: without prefix', 'without prefix', 'without prefix', 'tidied']);
    expect(judgement.cleaned).toBe('tidied');
  });

  it("skips evaluators that do not apply to the style, and passes each one its options and the finish reason", async () => {
    const calls: Call[] = [];
    const evaluators: ResolvedEvaluators = [
      { evaluator: fake('skipped', 0, {}, calls, false), options: {} },
      { evaluator: fake('used', 0, {}, calls), options: { max: 0.4 } },
    ];
    const judgement = await judgeCandidate('source', candidate('text', 'length'), style, evaluators);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.ctx).toEqual({ style, finishReason: 'length', options: { max: 0.4 } });
    expect(judgement.verdicts.map((verdict) => verdict.evaluator)).toEqual(['used']);
  });

  it('awaits evaluators that answer with a promise', async () => {
    const slow: Evaluator = {
      id: 'slow',
      tier: 3,
      appliesTo: () => true,
      evaluate: async () => ({ evaluator: 'slow', pass: false, score: 0, reason: 'unsupported_claim' }),
    };
    const judgement = await judgeCandidate('source', candidate('text'), style, resolved(fake('cheap', 0), slow));
    expect(judgement).toMatchObject({ pass: false, reasons: ['unsupported_claim'], score: 0.5 });
  });

  it('lets an evaluator error propagate unchanged', async () => {
    class ProviderDown extends Error {}
    const broken: Evaluator = { id: 'broken', tier: 3, appliesTo: () => true, evaluate: () => Promise.reject(new ProviderDown('503')) };
    await expect(judgeCandidate('source', candidate('text'), style, resolved(broken))).rejects.toBeInstanceOf(ProviderDown);
  });

  it('passes a candidate when no evaluator applies', async () => {
    expect(await judgeCandidate('source', candidate('text'), style, [])).toEqual({ pass: true, cleaned: 'text', verdicts: [], score: 1, reasons: [] });
  });
});

describe('judgeCandidate with the built-in evaluators', () => {
  const source = paragraphsOf(wikipediaText('xquad-en-41'))[0]!;
  const rewrite =
    'Between Bingen and Bonn the Middle Rhine runs through the Rhine Gorge, which erosion carved out. Because erosion kept ' +
    'pace with the uplift of the region, the river stayed near its original level while the land around it rose. The deep ' +
    'gorge is famous for its many castles and vineyards; a UNESCO World Heritage Site since 2002, this "Romantic Rhine" has ' +
    'more than 40 medieval castles and fortresses and many charming villages.';
  const wiki = makeStyle({
    evaluators: [
      { id: 'empty-output', options: {} },
      { id: 'preamble', options: {} },
      { id: 'length-ratio', options: {} },
      { id: 'repetition', options: {} },
      { id: 'verbatim-copy', options: { max: 0.5 } },
      { id: 'novel-numbers', options: {} },
    ],
  });
  const evaluators = resolveEvaluators(wiki.evaluators);

  it('accepts a faithful rewrite after every evaluator has passed it, tier 0 before tier 1', async () => {
    const judgement = await judgeCandidate(source, candidate(rewrite), wiki, evaluators);
    expect(judgement.pass).toBe(true);
    expect(judgement.verdicts.map((verdict) => verdict.evaluator)).toEqual([
      'empty-output',
      'preamble',
      'length-ratio',
      'novel-numbers',
      'repetition',
      'verbatim-copy',
    ]);
    expect(judgement.cleaned).toBe(rewrite);
  });

  it('rejects a chatty rewrite at the preamble check without running the rest', async () => {
    const judgement = await judgeCandidate(source, candidate(`Sure! Here is the rewritten passage:\n\n${rewrite}`), wiki, evaluators);
    expect(judgement).toMatchObject({ pass: false, reasons: ['preamble'] });
    expect(judgement.verdicts.map((verdict) => verdict.evaluator)).toEqual(['empty-output', 'preamble']);
  });

  it('rejects a rewrite that changes a date', async () => {
    const judgement = await judgeCandidate(source, candidate(rewrite.replace('2002', '2004')), wiki, evaluators);
    expect(judgement).toMatchObject({ pass: false, reasons: ['novel_number'] });
  });

  it('judges a QA answer without its required prefix', async () => {
    const qa = makeStyle({
      id: 'qa',
      answerPrefix: 'Question:',
      lengthRatio: { min: 0.3, max: 3 },
      evaluators: [{ id: 'empty-output', options: {} }, { id: 'answer-prefix', options: {} }, { id: 'novel-numbers', options: {} }],
    });
    const text = 'Question: Since when is the Rhine Gorge a UNESCO World Heritage Site?\nAnswer: Since 2002.';
    const judgement = await judgeCandidate(source, candidate(text), qa, resolveEvaluators(qa.evaluators));
    expect(judgement).toMatchObject({ pass: true, cleaned: 'Since when is the Rhine Gorge a UNESCO World Heritage Site?\nAnswer: Since 2002.' });
  });
});

describe('pickBest', () => {
  const judgement = (pass: boolean, score: number): Judgement => ({ pass, score, cleaned: '', verdicts: [], reasons: pass ? [] : ['x'] });

  it('picks the passing judgement with the highest score', () => {
    expect(pickBest([judgement(true, 0.6), judgement(false, 0.99), judgement(true, 0.9), judgement(true, 0.7)])).toBe(2);
  });

  it('picks the first of equally good judgements', () => {
    expect(pickBest([judgement(false, 1), judgement(true, 0.8), judgement(true, 0.8)])).toBe(1);
  });

  it('picks nothing when none passes', () => {
    expect(pickBest([judgement(false, 0.9), judgement(false, 0.5)])).toBeUndefined();
    expect(pickBest([])).toBeUndefined();
  });
});
