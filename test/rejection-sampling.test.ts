import { describe, expect, it } from 'vitest';
import type { Judgement } from '../src/judge.js';
import type { AttemptRecord } from '../src/ledger/writer.js';
import { AuthError, TransientError } from '../src/providers/errors.js';
import { sampleTask, type SamplingDeps, type SamplingPolicy, type SamplingTask } from '../src/rejection-sampling.js';
import type { GeneratedCandidate, GenerateRequest, GenerateResult, Style } from '../src/types.js';

const style = { id: 'wiki', kind: 'faithful' } as Style;
const task: SamplingTask = {
  key: 'task-1', style, source: 'The source.', sourceOffset: 100, messages: [{ role: 'user', content: 'x' }], promptTokens: 10, priorAttempts: 0,
};
const policy: SamplingPolicy = { model: 'm', maxTokens: 100, temperature: 0.7, candidates: 2, maxAttempts: 3, baseSeed: 1 };

type Recorded = Omit<AttemptRecord, 'runId'>;

/** Deps whose model answers `answers[attempt]` and whose judge passes a text scored by `scoreOf` (pass when > 0). */
function deps(opts: {
  answers: string[][];
  scoreOf?: (text: string) => number;
  judge?: SamplingDeps['judge'];
  stopping?: () => boolean;
}): SamplingDeps & { recorded: Recorded[]; requests: GenerateRequest[] } {
  const recorded: Recorded[] = [];
  const requests: GenerateRequest[] = [];
  const scoreOf = opts.scoreOf ?? ((text: string) => (text.startsWith('good') ? Number(text.slice(4) || 1) : 0));
  return {
    recorded,
    requests,
    generate: async (req): Promise<GenerateResult> => {
      const texts = opts.answers[requests.length] ?? [];
      requests.push(req);
      return {
        candidates: texts.map((text) => ({ text, finishReason: 'stop' })),
        usage: { promptTokens: 10, completionTokens: 5 },
        latencyMs: 1,
        endpoint: 'e',
        model: 'm',
      };
    },
    judge:
      opts.judge ??
      (async (_source: string, c: GeneratedCandidate): Promise<Judgement> => {
        const score = scoreOf(c.text);
        return { pass: score > 0, cleaned: c.text, verdicts: [], score, reasons: score > 0 ? [] : [`bad_${c.text}`] };
      }),
    record: (a) => recorded.push(a),
    stopping: opts.stopping ?? (() => false),
    redact: (text) => text.replaceAll('sk-secret', '[redacted]'),
  };
}

describe('sampleTask', () => {
  it('accepts the best passing candidate of an attempt', async () => {
    const d = deps({ answers: [['good2', 'good5', 'bad']] });
    expect(await sampleTask(task, policy, d)).toBe('accepted');
    expect(d.recorded).toHaveLength(1);
    expect(d.recorded[0]!.outcome).toMatchObject({ status: 'accepted', candidateIndex: 1 });
    expect(d.recorded[0]!.attempts).toBe(1);
  });

  it('draws again with a new seed until a candidate passes', async () => {
    const d = deps({ answers: [['bad'], ['worse'], ['good']] });
    expect(await sampleTask(task, policy, d)).toBe('accepted');
    expect(d.recorded.map((a) => a.outcome.status)).toEqual(['pending', 'pending', 'accepted']);
    expect(new Set(d.requests.map((r) => r.seed)).size).toBe(3);
  });

  it('records a task whose attempts are spent as rejected with the reasons of its last attempt', async () => {
    const d = deps({ answers: [['one'], ['two'], ['three']] });
    expect(await sampleTask(task, policy, d)).toBe('rejected');
    expect(d.recorded.at(-1)!.outcome).toEqual({ status: 'rejected', reasons: ['bad_three'] });
    expect(d.recorded.at(-1)!.attempts).toBe(3);
  });

  it('continues from the attempts an earlier run recorded', async () => {
    const d = deps({ answers: [['bad']] });
    expect(await sampleTask({ ...task, priorAttempts: 2 }, policy, d)).toBe('rejected');
    expect(d.requests).toHaveLength(1);
    expect(d.recorded[0]!.attemptNo).toBe(3);
  });

  describe('when the judge fails', () => {
    const failing = (err: unknown): SamplingDeps['judge'] => async () => {
      throw err;
    };

    it('keeps the paid answer unjudged and fails the task without spending an attempt', async () => {
      const d = deps({ answers: [['good', 'good2']], judge: failing(new TransientError('judge said 500 (key sk-secret)', 'judge-endpoint', 500)) });
      expect(await sampleTask(task, policy, d)).toBe('failed');
      expect(d.recorded).toHaveLength(1);
      const a = d.recorded[0]!;
      expect(a.outcome).toEqual({ status: 'failed', reasons: ['judge_transient_error'] });
      expect(a.error).toEqual({ code: 'judge_transient_error', message: 'judge said 500 (key [redacted])' });
      expect(a.attempts).toBe(0);
      expect(a.usage).toEqual({ promptTokens: 10, completionTokens: 5 });
      expect(a.candidates.map((c) => [c.text, c.pass, c.verdicts.length])).toEqual([['good', false, 0], ['good2', false, 0]]);
    });

    it('records the answer and then stops the run on a refused judge key', async () => {
      const d = deps({ answers: [['good']], judge: failing(new AuthError('401 from the judge', 'judge-endpoint', 401)) });
      await expect(sampleTask(task, policy, d)).rejects.toBeInstanceOf(AuthError);
      expect(d.recorded[0]!.outcome).toEqual({ status: 'failed', reasons: ['judge_auth_error'] });
    });

    it('records the answer and rethrows an error that is no provider error (a bug)', async () => {
      const d = deps({ answers: [['good']], judge: failing(new RangeError('evaluator bug')) });
      await expect(sampleTask(task, policy, d)).rejects.toBeInstanceOf(RangeError);
      expect(d.recorded[0]!.error?.code).toBe('judge_internal_error');
    });

    it('leaves the task pending when the run is stopping', async () => {
      let stopping = false;
      const d = deps({
        answers: [['good']],
        stopping: () => stopping,
        judge: async () => {
          stopping = true;
          throw new Error('pool closed');
        },
      });
      expect(await sampleTask(task, policy, d)).toBe('stopped');
      expect(d.recorded[0]!.outcome).toEqual({ status: 'pending' });
      expect(d.recorded[0]!.error?.code).toBe('judge_stopped');
    });
  });
});
