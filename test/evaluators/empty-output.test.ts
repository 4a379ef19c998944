import { describe, expect, it } from 'vitest';
import { emptyOutput } from '../../evaluators/empty-output.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import { makeContext } from './fixtures.js';

const SOURCE = 'The Rhine rises in the Swiss Alps and flows to the North Sea.';

describe('empty-output', () => {
  it('passes an answer with text that finished normally', () => {
    const verdict = emptyOutput.evaluate(SOURCE, 'The Rhine starts in the Alps of Switzerland.', makeContext());
    expect(verdict).toMatchObject({ evaluator: 'empty-output', pass: true, reason: 'ok', score: 1 });
  });

  it.each([[''], ['   \n\t  '], ['\u200B\uFEFF \u200D']])('rejects an answer with nothing visible in it: %j', (text) => {
    const verdict = emptyOutput.evaluate(SOURCE, text, makeContext());
    expect(verdict).toMatchObject({ pass: false, reason: 'empty_output', score: 0 });
  });

  it('rejects an answer cut off at the token limit, even when it has text', () => {
    const verdict = emptyOutput.evaluate(SOURCE, 'The Rhine starts in the Alps and', makeContext({}, { finishReason: 'length' }));
    expect(verdict).toMatchObject({ pass: false, reason: 'truncated', details: { finishReason: 'length' } });
  });

  it('reports a filtered answer as filtered rather than empty', () => {
    const verdict = emptyOutput.evaluate(SOURCE, '', makeContext({}, { finishReason: 'content_filter' }));
    expect(verdict).toMatchObject({ pass: false, reason: 'content_filtered' });
  });

  it('takes no options and says so, naming itself', () => {
    expect(() => emptyOutput.evaluate(SOURCE, 'text', makeContext({ strict: true }))).toThrow(EvaluatorOptionsError);
    expect(() => emptyOutput.parseOptions!({ strict: true })).toThrow(/evaluator "empty-output", option "strict": unknown option; this evaluator takes no options/);
  });
});
