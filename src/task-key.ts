import { createHash } from 'node:crypto';
import type { RunConfig } from './config.js';
import type { Style } from './types.js';

export const defaultTemperature = 0.7;

/** Everything that changes what a request would return: a task with the same key is the same work. */
export interface TaskIdentity {
  chunkSha256: string;
  promptSha256: string;
  model: string;
  params: Record<string, unknown>;
}

export function taskKey(t: TaskIdentity): string {
  const params = Object.keys(t.params)
    .sort()
    .filter((k) => t.params[k] !== undefined)
    .map((k) => [k, t.params[k]]);
  return createHash('sha256')
    .update(JSON.stringify([t.chunkSha256, t.promptSha256, t.model, params]))
    .digest('hex');
}

/**
 * A new seed for each attempt of a task, the same on every re-run, so an interrupted run that
 * resumes asks the same questions an uninterrupted one would have.
 */
export function attemptSeed(baseSeed: number, key: string, attemptNo: number): number {
  const h = createHash('sha256').update(`${baseSeed}:${key}:${attemptNo}`).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
}

/** The model part of a task key: the same work whichever of the configured endpoints serves it. */
export function modelKey(config: Pick<RunConfig, 'endpoints'>): string {
  return [...new Set(config.endpoints.map((e) => e.model))].sort().join('|');
}

/** The sampling parameters that change what a request returns, as they enter the task key. */
export function samplingParams(config: Pick<RunConfig, 'temperature' | 'topP'>, style: Style): Record<string, unknown> {
  return {
    temperature: config.temperature ?? style.temperature ?? defaultTemperature,
    top_p: config.topP,
    max_tokens: style.maxOutputTokens,
  };
}
