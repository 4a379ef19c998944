// Shared pieces of the loopback pool tests: real OpenAI providers pointed at real fake servers.

import { createOpenAIProvider } from '../../src/providers/openai.js';
import type { GenerateRequest, GenerateResult, Provider } from '../../src/types.js';

/** An OpenAI provider for the server at `url`, recording when the pool sent each request through it. */
export function providerFor(url: string, name: string): Provider & { sentAt: number[] } {
  const inner = createOpenAIProvider({ baseUrl: url, timeoutMs: 5000, name });
  const sentAt: number[] = [];
  return {
    endpoint: inner.endpoint,
    sentAt,
    generate(req) {
      sentAt.push(Date.now());
      return inner.generate(req);
    },
  };
}

/** A request whose prompt names task `id`, so every answer can be matched to its task. */
export function taskRequest(id: number, filler = ''): GenerateRequest {
  return {
    messages: [{ role: 'user', content: `task ${id}${filler ? `\n${filler}` : ''}` }],
    model: 'fake-model',
    maxTokens: 64,
    temperature: 0.7,
    n: 1,
  };
}

export const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Awaits every task, and reports which failed instead of throwing at the first. */
export async function settleAll(tasks: Array<Promise<GenerateResult>>) {
  const outcomes = await Promise.allSettled(tasks);
  const failures = outcomes.flatMap((o, id) => (o.status === 'rejected' ? [{ id, reason: String(o.reason) }] : []));
  const results = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  return { results, failures };
}
