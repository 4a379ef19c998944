// Test doubles for the pool: providers whose every answer is scripted, recording when each call started.

import type { GenerateRequest, GenerateResult, Provider, Usage } from '../../src/types.js';

export interface Call {
  /** 0-based order of calls to this endpoint. */
  index: number;
  startedAt: number;
  req: GenerateRequest;
  /** Set when the call answered. */
  usage?: Usage | null;
}

export function answer(endpoint: string, usage: Usage | null = { promptTokens: 10, completionTokens: 5 }, text = 'ok'): GenerateResult {
  return { candidates: [{ text, finishReason: 'stop' }], usage, latencyMs: 1, endpoint, model: 'm' };
}

export const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
export const failAfter = (ms: number, error: unknown): Promise<never> =>
  new Promise((_resolve, reject) => setTimeout(() => reject(error), ms));

/** A provider named `endpoint` whose calls are answered by `script`; it records every call and the most that overlapped. */
export function scriptedEndpoint(endpoint: string, script: (call: Call) => Promise<GenerateResult>) {
  const calls: Call[] = [];
  let running = 0;
  let maxRunning = 0;
  const provider: Provider = {
    endpoint,
    async generate(req) {
      const call: Call = { index: calls.length, startedAt: Date.now(), req };
      calls.push(call);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        const result = await script(call);
        call.usage = result.usage;
        return result;
      } finally {
        running--;
      }
    },
  };
  return {
    provider,
    calls,
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
  };
}

/** Settles `promise` without an unhandled rejection while fake time runs, and reports how it settled. */
export function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** A request whose prompt is `chars` characters long. */
export function requestOf(chars = 10, maxTokens = 64, n = 1): GenerateRequest {
  return { messages: [{ role: 'user', content: 'x'.repeat(chars) }], model: 'm', maxTokens, temperature: 0.7, n };
}

/** Counts one token per character, so tests can compute reservations by hand. */
export const charTokens = (text: string): number => text.length;

/** For each time in `times`, the sum of `amounts` over the window [t, t + windowMs). */
export function windowSums(times: number[], amounts: number[], windowMs: number): number[] {
  return times.map((t) => times.reduce((sum, u, i) => (u >= t && u < t + windowMs ? sum + (amounts[i] as number) : sum), 0));
}
