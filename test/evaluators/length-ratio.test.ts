import { describe, expect, it } from 'vitest';
import { lengthRatio } from '../../evaluators/length-ratio.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import { makeContext, makeStyle } from './fixtures.js';

const SOURCE = 'x'.repeat(1000);
const style = makeStyle({ lengthRatio: { min: 0.5, max: 1.6 } });
const judge = (outputChars: number, options: Record<string, unknown> = {}) =>
  lengthRatio.evaluate(SOURCE, 'y'.repeat(outputChars), makeContext(options, { style }));

describe('length-ratio', () => {
  it("passes an output within the style's bounds", () => {
    expect(judge(900)).toMatchObject({ evaluator: 'length-ratio', pass: true, reason: 'ok', score: 1, details: { ratio: 0.9, min: 0.5, max: 1.6 } });
    expect(judge(500).pass).toBe(true);
    expect(judge(1600).pass).toBe(true);
  });

  it('rejects an output that dropped most of the source, scoring by how far it missed', () => {
    const narrowly = judge(450);
    const widely = judge(100);
    expect(narrowly).toMatchObject({ pass: false, reason: 'too_short', details: { ratio: 0.45, sourceChars: 1000, outputChars: 450 } });
    expect(widely).toMatchObject({ pass: false, reason: 'too_short' });
    expect(narrowly.score).toBeCloseTo(0.9);
    expect(widely.score).toBeCloseTo(0.2);
  });

  it('rejects an output that grew far beyond the source', () => {
    const verdict = judge(3200);
    expect(verdict).toMatchObject({ pass: false, reason: 'too_long', details: { ratio: 3.2 } });
    expect(verdict.score).toBeCloseTo(0.5);
  });

  it('does not count surrounding whitespace', () => {
    const verdict = lengthRatio.evaluate(SOURCE, `\n\n${'y'.repeat(450)}\n\n${' '.repeat(200)}`, makeContext({}, { style }));
    expect(verdict).toMatchObject({ pass: false, reason: 'too_short', details: { outputChars: 450 } });
  });

  it("lets options override the style's bounds", () => {
    expect(judge(300, { min: 0.2 }).pass).toBe(true);
    expect(judge(1200, { max: 1.1 })).toMatchObject({ pass: false, reason: 'too_long', details: { max: 1.1 } });
  });

  it('rejects bad bounds, naming the evaluator and the option', () => {
    expect(() => judge(500, { min: -1 })).toThrow(/evaluator "length-ratio", option "min"/);
    expect(() => judge(500, { max: 'long' })).toThrow(EvaluatorOptionsError);
    expect(() => judge(500, { min: 2 })).toThrow(/option "min": min \(2\) is above max \(1.6\)/);
    expect(() => judge(500, { ratio: 1 })).toThrow(/option "ratio": unknown option/);
  });
});
