// The judge stage of a run: each candidate's pure evaluators run in worker threads (judge-workers.ts), then the
// evaluators that read run state (the near-duplicate index, the judge model) run on the engine's thread on what
// the workers passed. With zero threads every evaluator runs on the engine's thread, in one pass.

import { availableParallelism } from 'node:os';
import { continueJudgement, judgeCandidate, type Judgement, type JudgeServices, type ResolvedEvaluators } from './judge.js';
import { JudgeWorkers } from './judge-workers.js';
import type { GeneratedCandidate, Style } from './types.js';

export interface StyleEvaluators {
  style: Style;
  /** Every evaluator the style runs, resolved (the run's judge model included). */
  evaluators: ResolvedEvaluators;
}

export interface JudgeTimings {
  /** Milliseconds the engine's thread spent judging. */
  judgeMs: number;
  /** Milliseconds the judge workers spent judging, summed over them. */
  judgeWorkerMs: number;
}

/** One fewer than the cores, so the engine's thread keeps one, and at least one; eight are plenty for one pool. */
export function defaultJudgeThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism() - 1));
}

interface Split {
  /** Whether any of the style's evaluators judge in the workers. */
  inWorkers: boolean;
  /** The ones that judge on this thread. */
  here: ResolvedEvaluators;
}

export class JudgeStage {
  readonly #splits = new Map<string, Split>();
  readonly #workers: JudgeWorkers | undefined;
  #judgeMs = 0;

  constructor(styles: readonly StyleEvaluators[], threads: number) {
    for (const { style, evaluators } of styles) {
      const here = threads > 0 ? evaluators.filter((e) => e.evaluator.usesRunState === true) : evaluators;
      this.#splits.set(style.id, { inWorkers: here.length < evaluators.length, here });
    }
    const needed = [...this.#splits.values()].some((s) => s.inWorkers);
    this.#workers = needed ? new JudgeWorkers(styles.map((s) => s.style), threads) : undefined;
  }

  get timings(): JudgeTimings {
    return { judgeMs: this.#judgeMs, judgeWorkerMs: this.#workers?.busyMs ?? 0 };
  }

  async judge(style: Style, source: string, candidate: GeneratedCandidate, services?: JudgeServices): Promise<Judgement> {
    const split = this.#splits.get(style.id);
    if (split === undefined) throw new Error(`judge stage: style "${style.id}" was not planned`);
    if (!split.inWorkers) return this.#timed(() => judgeCandidate(source, candidate, style, split.here, services));
    const prior = await this.#workers!.judge(style, source, candidate);
    if (!prior.pass || split.here.length === 0) return prior;
    return this.#timed(() => continueJudgement(prior, source, candidate, style, split.here, services));
  }

  close(): Promise<void> {
    return this.#workers?.close() ?? Promise.resolve();
  }

  /** Times the synchronous part of a judging: a model-calling evaluator returns before its answer comes. */
  #timed(judge: () => Promise<Judgement>): Promise<Judgement> {
    const t0 = performance.now();
    const judgement = judge();
    this.#judgeMs += performance.now() - t0;
    return judgement;
  }
}
