// How many tokens a request counts against an endpoint's tokens-per-minute limit, before it is sent.
//
// Providers count the prompt plus the most the answer may use (`max_tokens` for each of the `n` candidates)
// when a request arrives, and bill the real usage later. So we reserve the same upper bound up front and
// settle to the reported usage once the answer is in (see RateBucket.settle).

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
  /** Prompt plus `maxTokens × n`: the most the request can use. */
  reserve: number;
}

export function estimateRequestTokens(req: GenerateRequest, count: TokenCounter = countTokens): RequestTokens {
  let prompt = TOKENS_PRIMING_REPLY + TOKENS_PER_MESSAGE * req.messages.length;
  // Tokenising is the costliest thing reword does per request; a count the caller already has is reused.
  if (req.contentTokens !== undefined) prompt += req.contentTokens;
  else for (const message of req.messages) prompt += count(message.content);
  return { prompt, reserve: prompt + req.maxTokens * Math.max(1, req.n) };
}

/** Tokens the request really used, as the server reported them, or undefined when it did not. */
export function reportedTokens(result: GenerateResult): number | undefined {
  return result.usage ? result.usage.promptTokens + result.usage.completionTokens : undefined;
}
