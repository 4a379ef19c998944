import { describe, expect, it } from 'vitest';
import { answerPrefix } from '../../evaluators/answer-prefix.js';
import { makeContext, makeStyle } from './fixtures.js';

const SOURCE = 'Super Bowl 50 was played at Levi\'s Stadium. The Denver Broncos beat the Carolina Panthers 24–10.';
const qaStyle = makeStyle({ id: 'qa', answerPrefix: 'Question:' });
const qa = makeContext({}, { style: qaStyle });

describe('answer-prefix', () => {
  it('applies only to styles that set an answer prefix', () => {
    expect(answerPrefix.appliesTo(qaStyle)).toBe(true);
    expect(answerPrefix.appliesTo(makeStyle())).toBe(false);
  });

  it('strips the prefix and surrounding whitespace from an answer that starts with it', () => {
    const text = '\n  Question: Who won Super Bowl 50?\nAnswer: The Denver Broncos won it, beating the Carolina Panthers.\n';
    const verdict = answerPrefix.evaluate(SOURCE, text, qa);
    expect(verdict).toMatchObject({ evaluator: 'answer-prefix', pass: true, reason: 'ok', score: 1 });
    expect(verdict).toHaveProperty('cleaned', 'Who won Super Bowl 50?\nAnswer: The Denver Broncos won it, beating the Carolina Panthers.');
  });

  it('rejects an answer that opens with something else, showing what it found', () => {
    const text = 'Here are some questions about the game:\nQuestion: Who won?\nAnswer: Denver.';
    const verdict = answerPrefix.evaluate(SOURCE, text, qa);
    expect(verdict).toMatchObject({ pass: false, reason: 'missing_prefix', score: 0, details: { expected: 'Question:' } });
    expect(verdict.cleaned).toBeUndefined();
    expect(String(verdict.details?.found)).toMatch(/^Here are some questions/);
  });

  it('is case-sensitive, as the template asks for the label exactly', () => {
    expect(answerPrefix.evaluate(SOURCE, 'question: Who won?\nAnswer: Denver.', qa)).toMatchObject({ pass: false, reason: 'missing_prefix' });
  });

  it('does not require the whitespace a prefix ends with', () => {
    const style = makeStyle({ answerPrefix: 'Rewritten text:\n' });
    const verdict = answerPrefix.evaluate(SOURCE, 'Rewritten text: Denver beat Carolina 24–10.', makeContext({}, { style }));
    expect(verdict).toMatchObject({ pass: true, cleaned: 'Denver beat Carolina 24–10.' });
  });
});

describe('answer-prefix with strip: false', () => {
  it('keeps a prefix that is part of the format', async () => {
    const { answerPrefix } = await import('../../evaluators/answer-prefix.js');
    const style = { id: 'qa', description: '', kind: 'faithful' as const, maxOutputTokens: 10, lengthRatio: { min: 0, max: 9 }, answerPrefix: 'Question:', evaluators: [], template: '', sha256: '', path: '' };
    const v = await answerPrefix.evaluate('src', '  Question: Why?\nAnswer: Because.', { style, finishReason: 'stop', options: { strip: false } });
    expect(v).toMatchObject({ pass: true, cleaned: 'Question: Why?\nAnswer: Because.' });
  });
});
