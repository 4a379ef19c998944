// How much a request counts against an endpoint's requests- and tokens-per-minute limits, before it is sent.
//
// Providers count the prompt plus the most the answer may use (`max_tokens` for each of the `n` candidates)
// when a request arrives, and bill the real usage later. So we reserve the same upper bound up front and
// settle to the reported usage once the answer is in (see RateBucket.settle).
//
// A backend that cannot draw `n` candidates in one request is sent n requests (Provider.requestsPerGenerate):
// each counts against RPM, and each carries the whole prompt, so the prompt is counted once per request.

import { countTokens } from '../tokens.js';
import type { GenerateRequest, GenerateResult } from '../types.js';

/** Counts the tokens of a text; cl100k_base by default. */
export type TokenCounter = (text: string) => number;

// The chat format wraps every message in role markers (about 4 tokens) and primes the reply (3), per OpenAI's
// counting guide for cl100k models.
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PRIMING_REPLY = 3;

export interface RequestTokens {
  /** The prompt as the model will see it. */
  prompt: number;
  /** `maxTokens × n`: the most the candidates can use together. */
  completion: number;
  /** Candidates asked for. */
  n: number;
}

/** What one generate() counts against an endpoint's limits. */
export interface RequestCost {
  /** HTTP requests it sends. */
  requests: number;
  /** The most tokens they can use: the prompt once per request, plus `maxTokens × n`. */
  tokens: number;
}

export function estimateRequestTokens(req: GenerateRequest, count: TokenCounter = countTokens): RequestTokens {
  let prompt = TOKENS_PRIMING_REPLY + TOKENS_PER_MESSAGE * req.messages.length;
  // Tokenising is the costliest thing reword does per request; a count the caller already has is reused.
  if (req.contentTokens !== undefined) prompt += req.contentTokens;
  else for (const message of req.messages) prompt += count(message.content);
  const n = Math.max(1, req.n);
  return { prompt, completion: req.maxTokens * n, n };
}

/** The cost of a request on an endpoint whose provider sends `requestsPerGenerate(n)` requests for it (1 if absent). */
export function requestCost(tokens: RequestTokens, requestsPerGenerate: ((n: number) => number) | undefined): RequestCost {
  const declared = requestsPerGenerate?.(tokens.n) ?? 1;
  // A provider's answer is outside data: anything but a positive count is read as one request.
  const requests = Number.isFinite(declared) && declared >= 1 ? Math.ceil(declared) : 1;
  return { requests, tokens: tokens.prompt * requests + tokens.completion };
}

/** Tokens the request really used, as the server reported them, or undefined when it did not. */
export function reportedTokens(result: GenerateResult): number | undefined {
  return result.usage ? result.usage.promptTokens + result.usage.completionTokens : undefined;
}
