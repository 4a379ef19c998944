// The body of one judge worker thread (see judge-workers.ts): it holds the styles of a run with their pure
// evaluators resolved, and answers each candidate it is sent with the judgement those evaluators give.
// The evaluators that read run state (usesRunState) stay on the engine's thread and are never resolved here.

import { parentPort } from 'node:worker_threads';
import { builtinEvaluators, resolveEvaluators } from '../evaluators/index.js';
import { judgeCandidate, type Judgement, type ResolvedEvaluators } from './judge.js';
import type { Style } from './types.js';

/** The engine's messages to a worker. */
export type JudgeWorkerRequest =
  | { type: 'styles'; styles: Style[] }
  | { type: 'judge'; id: number; styleId: string; source: string; text: string; finishReason: string };

/** A worker's answer to one `judge` message; `ms` is how long it judged, for the run's timings. */
export type JudgeWorkerResponse =
  | { id: number; judgement: Judgement; ms: number }
  | { id: number; error: { name: string; message: string; stack?: string } };

/** The evaluators of `style` that judge in a worker: every listed one that does not read run state. */
export function workerEvaluatorsOf(style: Style): ResolvedEvaluators {
  const pure = style.evaluators.filter((ref) => builtinEvaluators.get(ref.id)?.usesRunState !== true);
  return resolveEvaluators(pure);
}

function serve(port: NonNullable<typeof parentPort>): void {
  const styles = new Map<string, { style: Style; evaluators: ResolvedEvaluators }>();

  async function judge(message: Extract<JudgeWorkerRequest, { type: 'judge' }>): Promise<JudgeWorkerResponse> {
    const started = performance.now();
    try {
      const entry = styles.get(message.styleId);
      if (entry === undefined) throw new Error(`judge worker: no style "${message.styleId}" was sent to it`);
      const candidate = { text: message.text, finishReason: message.finishReason };
      const judgement = await judgeCandidate(message.source, candidate, entry.style, entry.evaluators);
      return { id: message.id, judgement, ms: performance.now() - started };
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      return { id: message.id, error: { name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) } };
    }
  }

  port.on('message', (message: JudgeWorkerRequest) => {
    if (message.type === 'styles') {
      for (const style of message.styles) styles.set(style.id, { style, evaluators: workerEvaluatorsOf(style) });
      return;
    }
    void judge(message).then((response) => port.postMessage(response));
  });
}

if (parentPort !== null) serve(parentPort);
