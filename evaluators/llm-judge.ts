// Tier 3: a judge model lists the candidate's points as supported by the source, contradicted, or added, and the
// source's points the candidate omits. It is the costliest check, so it runs last, only when the run configured a
// judge model, and (by default) only on candidates the cheaper evaluators found borderline.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { judgeAnswerJsonSchema, parseJudgeAnswer, renderJudgeMessages, type JudgeAnswer } from '../src/llm-judge-rubric.js';
import type { EvalContext, Evaluator, JudgeModelAnswer, Verdict } from '../src/types.js';

const ID = 'llm-judge';
/** How much of an answer that could not be read is kept in the verdict, for someone to see what went wrong. */
const RAW_ANSWER_CHARS = 2000;

export const llmJudgeOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /**
     * Which candidates to send to the judge model: `all`; `borderline`, those an earlier evaluator scored below
     * `borderlineBelow`; or `sample`, a fixed share of them. Default `borderline`.
     */
    mode: z.enum(['all', 'borderline', 'sample']).default('borderline'),
    /** In `sample` mode, the share judged; the choice hashes source and candidate, so reruns pick the same ones. Default 0.1. */
    sampleRate: fraction().default(0.1),
    /** In `borderline` mode, judge when some earlier verdict's score is below this. Default 0.8. */
    borderlineBelow: fraction().default(0.8),
    /** Smallest share of the candidate's points the judge must find supported. Default 0.9. */
    minSupportedShare: fraction().default(0.9),
    /** Most tokens the judge model may answer with. Default 800. */
    maxTokens: z.number().int().positive().default(800),
  }),
);

type LlmJudgeOptions = z.output<typeof llmJudgeOptions.schema>;

export const llmJudge = {
  id: ID,
  tier: 3,
  usesRunState: true,
  appliesTo: () => true,
  parseOptions: (options) => llmJudgeOptions.parse(options),
  async evaluate(source, candidate, ctx): Promise<Verdict> {
    const options = llmJudgeOptions.parse(ctx.options);
    const judgeModel = ctx.judgeModel;
    if (judgeModel === undefined) return unjudged({ skipped: 'no_judge_model' });
    const skipped = reasonToSkip(source, candidate, ctx, options);
    if (skipped !== undefined) return unjudged(skipped);

    const answer = await judgeModel.complete(renderJudgeMessages(source, candidate), {
      maxTokens: options.maxTokens,
      jsonSchema: judgeAnswerJsonSchema,
    });
    const request = { model: answer.model, endpoint: answer.endpoint, usage: answer.usage, latencyMs: answer.latencyMs };
    const judged = parseJudgeAnswer(answer.text);
    if (judged === undefined) {
      return { evaluator: ID, pass: false, score: 0, reason: 'judge_unparseable', details: { raw: truncated(answer), ...request } };
    }
    return verdictOf(judged, options, request);
  },
} satisfies Evaluator;

/** Passing, not failing: a run without a judge model, or a candidate outside the sample, has nothing against it. */
function unjudged(details: Record<string, unknown>): Verdict {
  return { evaluator: ID, pass: true, score: 1, reason: 'ok', details };
}

/** Why the mode leaves this candidate unjudged; undefined when it is to be judged. */
function reasonToSkip(source: string, candidate: string, ctx: EvalContext, options: LlmJudgeOptions): Record<string, unknown> | undefined {
  if (options.mode === 'borderline') {
    const scores = (ctx.priorVerdicts ?? []).map((verdict) => verdict.score);
    const lowest = scores.length === 0 ? null : Math.min(...scores);
    if (lowest === null || lowest >= options.borderlineBelow) {
      return { skipped: 'not_borderline', lowestPriorScore: lowest, borderlineBelow: options.borderlineBelow };
    }
  }
  if (options.mode === 'sample' && samplePoint(source, candidate) >= options.sampleRate) {
    return { skipped: 'not_sampled', sampleRate: options.sampleRate };
  }
  return undefined;
}

/** Where a (source, candidate) pair falls in [0, 1): the same pair always falls in the same place. */
export function samplePoint(source: string, candidate: string): number {
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  const digest = createHash('sha256').update(source).update('\u0000').update(candidate).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

function verdictOf(judged: JudgeAnswer, options: LlmJudgeOptions, request: Record<string, unknown>): Verdict {
  const { supported, omitted, contradicted, added, verdict } = judged;
  const claimed = supported.length + added.length + contradicted.length;
  // A candidate with no points to check (the judge listed none) has nothing unsupported in it.
  const supportedShare = claimed === 0 ? 1 : supported.length / claimed;
  const details = {
    supported,
    omitted,
    contradicted,
    added,
    verdict,
    supportedShare: Math.round(supportedShare * 1000) / 1000,
    minSupportedShare: options.minSupportedShare,
    ...request,
  };
  const reason =
    contradicted.length > 0
      ? 'contradicted_claim'
      : added.length > 0
        ? 'added_claim'
        : supportedShare < options.minSupportedShare || verdict === 'unfaithful'
          ? 'unsupported_by_judge'
          : 'ok';
  return { evaluator: ID, pass: reason === 'ok', score: supportedShare, reason, details };
}

function truncated(answer: JudgeModelAnswer): string {
  return answer.text.length <= RAW_ANSWER_CHARS ? answer.text : `${answer.text.slice(0, RAW_ANSWER_CHARS)}…`;
}
