import { pickBest, type Judgement } from './judge.js';
import type { AttemptRecord, AttributionRecord, CandidateRecord } from './ledger/writer.js';
import { AuthError, ContextTooLongError, describeFailure, ProviderError, providerErrorCode } from './providers/errors.js';
import { attemptSeed } from './task-key.js';
import type { ChatMessage, GeneratedCandidate, GenerateRequest, GenerateResult, Style } from './types.js';

export interface SamplingPolicy {
  model: string;
  maxTokens: number;
  temperature: number;
  topP?: number;
  candidates: number;
  maxAttempts: number;
  baseSeed: number;
}

export interface SamplingTask {
  key: string;
  style: Style;
  source: string;
  /** Offset of `source` in its document, so attributions point into the document. */
  sourceOffset: number;
  messages: ChatMessage[];
  /** Estimated prompt tokens, for rate and budget accounting. */
  promptTokens: number;
  /** Judged attempts already recorded by earlier runs. */
  priorAttempts: number;
}

export interface SamplingDeps {
  generate(req: GenerateRequest, promptTokens: number): Promise<GenerateResult & { costUsd?: number }>;
  judge(source: string, candidate: GeneratedCandidate, style: Style): Promise<Judgement>;
  record(attempt: Omit<AttemptRecord, 'runId'>): void;
  /** True once the run is stopping: no new attempt starts. */
  stopping(): boolean;
  redact(text: string): string;
}

/** `context_too_long`: the prompt did not fit the model (recorded as failed); the caller may split the chunk. */
export type SamplingResult = 'accepted' | 'rejected' | 'failed' | 'stopped' | 'context_too_long';

function attributionsOf(j: Judgement, sourceOffset: number): AttributionRecord[] {
  const v = j.verdicts.find((x) => x.evaluator === 'attribution');
  const list = v?.details?.['attributions'];
  if (!Array.isArray(list)) return [];
  return list.map((a: { outputStart: number; outputEnd: number; sourceStart: number | null; sourceEnd: number | null; support: number }) => ({
    outputStart: a.outputStart,
    outputEnd: a.outputEnd,
    sourceStart: a.sourceStart === null ? null : a.sourceStart + sourceOffset,
    sourceEnd: a.sourceEnd === null ? null : a.sourceEnd + sourceOffset,
    support: a.support,
  }));
}

/**
 * Draws candidates for one task until one passes the judge or the attempts are spent.
 * Each attempt (and its outcome) is handed to `record` as one unit.
 */
export async function sampleTask(task: SamplingTask, policy: SamplingPolicy, deps: SamplingDeps): Promise<SamplingResult> {
  const params = { temperature: policy.temperature, top_p: policy.topP, max_tokens: policy.maxTokens, n: policy.candidates };
  let attempts = task.priorAttempts;
  while (attempts < policy.maxAttempts) {
    if (deps.stopping()) return 'stopped';
    const attemptNo = attempts + 1;
    const seed = attemptSeed(policy.baseSeed, task.key, attemptNo);
    const base = { taskKey: task.key, attemptNo, model: policy.model, params, seed };
    let result: GenerateResult & { costUsd?: number };
    try {
      result = await deps.generate({
        messages: task.messages,
        model: policy.model,
        maxTokens: policy.maxTokens,
        temperature: policy.temperature,
        topP: policy.topP,
        n: policy.candidates,
        seed,
      }, task.promptTokens);
    } catch (err) {
      if (deps.stopping() && !(err instanceof AuthError)) return 'stopped';
      const code = providerErrorCode(err);
      deps.record({
        ...base,
        ...describeFailure(err, code, deps.redact),
        usage: null,
        candidates: [],
        outcome: { status: 'failed', reasons: [code] },
        attempts,
      });
      if (err instanceof AuthError) throw err;
      return err instanceof ContextTooLongError ? 'context_too_long' : 'failed';
    }
    const answered = { ...base, endpoint: result.endpoint, model: result.model || policy.model, usage: result.usage, costUsd: result.costUsd, latencyMs: result.latencyMs };
    let judgements: Judgement[];
    try {
      judgements = await Promise.all(result.candidates.map((c) => deps.judge(task.source, c, task.style)));
    } catch (err) {
      // The judge (its model's endpoint, most often) failed. The answer is paid for and kept, unjudged; the task
      // fails without spending an attempt (or stays pending when the run is stopping), so a later run judges it afresh.
      const stopped = deps.stopping() && !(err instanceof AuthError);
      const code = stopped ? 'judge_stopped' : `judge_${providerErrorCode(err)}`;
      deps.record({
        ...answered,
        error: describeFailure(err, code, deps.redact).error,
        candidates: result.candidates.map((c) => ({ text: c.text, cleaned: c.text, finishReason: c.finishReason, pass: false, score: 0, verdicts: [] })),
        outcome: stopped ? { status: 'pending' } : { status: 'failed', reasons: [code] },
        attempts,
      });
      if (stopped) return 'stopped';
      // A refused key stops the run; an error that is no provider's is a bug, which would fail every task alike.
      if (err instanceof AuthError || !(err instanceof ProviderError)) throw err;
      return 'failed';
    }
    attempts = attemptNo;
    const candidates: CandidateRecord[] = result.candidates.map((c, i) => {
      const j = judgements[i]!;
      return { text: c.text, cleaned: j.cleaned, finishReason: c.finishReason, pass: j.pass, score: j.score, verdicts: j.verdicts };
    });
    const best = pickBest(judgements);
    const reasons = [...new Set(judgements.flatMap((j) => j.reasons))];
    const outcome: AttemptRecord['outcome'] =
      best !== undefined
        ? { status: 'accepted', candidateIndex: best, attributions: attributionsOf(judgements[best]!, task.sourceOffset) }
        : attempts >= policy.maxAttempts
          ? { status: 'rejected', reasons }
          : { status: 'pending' };
    deps.record({
      ...answered,
      candidates,
      outcome,
      attempts,
    });
    if (outcome.status === 'accepted') return 'accepted';
    if (outcome.status === 'rejected') return 'rejected';
  }
  return 'rejected';
}

