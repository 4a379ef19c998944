// Hand-written texts for the faithfulness tests: one source, and rewrites of it that are faithful or that
// change it in exactly one way each.
import type { EvalContext, Evaluator, Style, Verdict } from '../../src/types.js';
import { makeStyle } from '../evaluators/fixtures.js';

export const SOURCE = [
  'The Harbour Bridge in Sydney opened on 19 March 1932 after eight years of construction.',
  'It was designed by John Bradfield and built by the British firm Dorman Long.',
  'The arch spans 503 metres and carries eight lanes of traffic, two railway lines and a cycleway.',
  'About 160,000 vehicles cross it every day, and the toll is not charged on northbound trips.',
  'In 2007 the bridge was added to the Australian National Heritage List.',
].join(' ');

/** A faithful paraphrase: same facts, different words and order. */
export const FAITHFUL = [
  'Sydney\'s Harbour Bridge, built over eight years, was opened on 19 March 1932.',
  'John Bradfield designed it, and the British company Dorman Long built it.',
  'Its arch is 503 metres long and carries eight traffic lanes, two rail lines and a cycleway.',
  'Roughly 160,000 vehicles use it each day; trips heading north are not tolled.',
].join(' ');

export function context(options: Record<string, unknown> = {}, style: Partial<Style> = {}): EvalContext {
  return { style: makeStyle(style), finishReason: 'stop', options };
}

/** Runs a synchronous evaluator; these evaluators never return a promise, and a test should say so if one does. */
export function verdictOf(evaluator: Evaluator, source: string, candidate: string, ctx: EvalContext): Verdict {
  const verdict = evaluator.evaluate(source, candidate, ctx);
  if (verdict instanceof Promise) throw new Error(`${evaluator.id} returned a promise`);
  return verdict;
}
