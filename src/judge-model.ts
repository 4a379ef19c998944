import type { Budget } from './budget.js';
import type { AttemptRecord } from './ledger/writer.js';
import type { MultiEndpointPool } from './pool/multi-endpoint-pool.js';
import { describeFailure, providerErrorCode } from './providers/errors.js';
import type { ChatMessage, JudgeModel, JudgeModelAnswer } from './types.js';

export interface PooledJudgeModelOptions {
  pool: MultiEndpointPool;
  model: string;
  budget: Budget;
  signal: AbortSignal;
  /** Records one judge request and its answer (or its error) against the task being judged. */
  record(attempt: Omit<AttemptRecord, 'runId' | 'taskKey' | 'attemptNo'>): void;
  /** Removes secrets from an error message before it is recorded. */
  redact(text: string): string;
}

/**
 * The judge model as evaluators see it: a request through its own pool (limits, retries), held against the
 * run's budget, and recorded in the ledger like any attempt (purpose `judge`).
 */
export function createPooledJudgeModel(o: PooledJudgeModelOptions): JudgeModel {
  return {
    async complete(messages: ChatMessage[], opts): Promise<JudgeModelAnswer> {
      const promptTokens = Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4);
      const hold = await o.budget.hold(promptTokens, opts.maxTokens);
      const params = { temperature: 0, max_tokens: opts.maxTokens, response_format: opts.jsonSchema ? 'json_schema' : undefined };
      try {
        const r = await o.pool.generate(
          {
            messages,
            model: o.model,
            maxTokens: opts.maxTokens,
            temperature: 0,
            n: 1,
            ...(opts.jsonSchema ? { responseFormat: { type: 'json_schema' as const, ...opts.jsonSchema } } : {}),
          },
          o.signal,
        );
        const costUsd = o.budget.settle(hold, r.endpoint, r.usage);
        const text = r.candidates[0]?.text ?? '';
        o.record({
          purpose: 'judge',
          endpoint: r.endpoint,
          model: r.model || o.model,
          params,
          usage: r.usage,
          costUsd,
          latencyMs: r.latencyMs,
          candidates: [{ text, cleaned: text, finishReason: r.candidates[0]?.finishReason ?? 'unknown', pass: true, score: 1, verdicts: [] }],
          outcome: { status: 'pending' },
          attempts: 0,
        });
        return { text, usage: r.usage, endpoint: r.endpoint, model: r.model || o.model, latencyMs: r.latencyMs };
      } catch (err) {
        o.budget.release(hold);
        o.record({
          purpose: 'judge',
          ...describeFailure(err, providerErrorCode(err), o.redact),
          model: o.model,
          params,
          usage: null,
          candidates: [],
          outcome: { status: 'pending' },
          attempts: 0,
        });
        throw err;
      }
    },
  };
}
