// The judge: runs a style's evaluators over one candidate, cheapest first, and stops at the first failure.
// It decides pass/fail for one candidate; which candidate to keep and when to draw again is rejection-sampling.ts.
import type { EvalContext, Evaluator, GeneratedCandidate, JudgeModel, Style, Verdict } from './types.js';

/** An evaluator with its front-matter options already checked (see resolveEvaluators in evaluators/index.ts). */
export interface ResolvedEvaluator {
  evaluator: Evaluator;
  options: Record<string, unknown>;
}

export type ResolvedEvaluators = readonly ResolvedEvaluator[];

/** What the engine lends the evaluators beyond the candidate itself. */
export interface JudgeServices {
  /** The model tier-3 evaluators ask; without it they pass the candidate unjudged. */
  judgeModel?: JudgeModel;
}

export interface Judgement {
  pass: boolean;
  /** The text to keep: the candidate as the last evaluator that ran left it (e.g. with a required prefix stripped). */
  cleaned: string;
  /** One per evaluator that ran, in the order they ran. */
  verdicts: Verdict[];
  /** Mean of the verdict scores; 1 when no evaluator applies. */
  score: number;
  /** Reason codes of the failing verdicts. */
  reasons: string[];
}

// Sorting once per evaluator list rather than per candidate: the same list is judged thousands of times.
const byTierCache = new WeakMap<ResolvedEvaluators, ResolvedEvaluators>();

function cheapestFirst(evaluators: ResolvedEvaluators): ResolvedEvaluators {
  let sorted = byTierCache.get(evaluators);
  if (sorted === undefined) {
    // Array.prototype.sort is stable, so evaluators of one tier keep the order the style lists them in.
    sorted = [...evaluators].sort((a, b) => a.evaluator.tier - b.evaluator.tier);
    byTierCache.set(evaluators, sorted);
  }
  return sorted;
}

/**
 * Judges one candidate. Each evaluator sees the text the previous ones cleaned; the first failure ends the
 * judging, since later (costlier) evaluators cannot rescue it. Errors thrown by an evaluator propagate unchanged,
 * so a model-calling evaluator's provider errors reach the pool as the types it retries on.
 */
export function judgeCandidate(
  source: string,
  candidate: GeneratedCandidate,
  style: Style,
  evaluators: ResolvedEvaluators,
  services?: JudgeServices,
): Promise<Judgement> {
  return continueJudgement(emptyJudgement(candidate.text), source, candidate, style, evaluators, services);
}

/** A judgement no evaluator has contributed to yet. */
export function emptyJudgement(text: string): Judgement {
  return { pass: true, cleaned: text, verdicts: [], score: 1, reasons: [] };
}

/**
 * Runs more evaluators on a candidate another judging (e.g. in a worker thread) has passed so far: they see its
 * cleaned text and its verdicts, and their verdicts are added to it. A failed judgement is returned unchanged.
 */
export async function continueJudgement(
  prior: Judgement,
  source: string,
  candidate: GeneratedCandidate,
  style: Style,
  evaluators: ResolvedEvaluators,
  services?: JudgeServices,
): Promise<Judgement> {
  if (!prior.pass) return prior;
  let cleaned = prior.cleaned;
  const verdicts: Verdict[] = prior.verdicts.slice();
  for (const { evaluator, options } of cheapestFirst(evaluators)) {
    if (!evaluator.appliesTo(style)) continue;
    const ctx: EvalContext = { style, finishReason: candidate.finishReason, options };
    // A copy: the list grows after this evaluator returns, and an evaluator may keep its context.
    if (verdicts.length > 0) ctx.priorVerdicts = verdicts.slice();
    if (services?.judgeModel !== undefined) ctx.judgeModel = services.judgeModel;
    const result = evaluator.evaluate(source, cleaned, ctx);
    // Awaiting only promises keeps the synchronous evaluators from yielding to the event loop each time.
    const verdict = isPromiseLike(result) ? await result : result;
    verdicts.push(verdict);
    if (verdict.cleaned !== undefined) cleaned = verdict.cleaned;
    if (!verdict.pass) break;
  }
  const failing = verdicts.filter((verdict) => !verdict.pass);
  return {
    pass: failing.length === 0,
    cleaned,
    verdicts,
    score: verdicts.length === 0 ? 1 : verdicts.reduce((sum, verdict) => sum + verdict.score, 0) / verdicts.length,
    reasons: failing.map((verdict) => verdict.reason),
  };
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T>).then === 'function';
}

/** Index of the best passing judgement: highest score, the first one on ties; undefined when none passes. */
export function pickBest(judgements: readonly Judgement[]): number | undefined {
  let best: number | undefined;
  judgements.forEach((judgement, index) => {
    if (judgement.pass && (best === undefined || judgement.score > judgements[best]!.score)) best = index;
  });
  return best;
}
