// Hugging Face chat completions through @huggingface/inference: Inference Providers by model id
// (router.huggingface.co, which forwards to Together, Fireworks, …) or an Inference Endpoint / TGI server by URL.
//
// The library builds the request (URL, routing, headers); a recording fetch hands us the status, the headers
// and the body it saw, because the library's errors carry neither the response headers (no retry-after) nor a
// body we can trust to be parsed, and its own output check rejects answers without usage that we can use.
// Its 503 retry loop (immediate and unbounded) is off: the pool owns retries.
//
// Candidates: TGI documents `n` as unused and the routed providers differ, so n candidates are n requests of
// one candidate each, sent together, seeds `seed + i`. `requestsPerGenerate(n)` tells the pool what it costs.

import {
  InferenceClient,
  InferenceClientError,
  InferenceClientHubApiError,
  InferenceClientProviderApiError,
  InferenceClientRoutingError,
} from '@huggingface/inference';
import { z } from 'zod';
import type { GenerateRequest, GenerateResult, GeneratedCandidate, Provider, Usage } from '../types.js';
import {
  AuthError,
  ContextTooLongError,
  FatalError,
  ProviderError,
  RateLimitedError,
  TransientError,
} from './errors.js';
import { endpointNameFromUrl, normalizeErrorBody, scrubSecret } from './openai.js';
import { retryAfterMsFromHeaders } from './retry-after.js';
import { causeText } from './provider-errors-text.js';

/** Where Inference Providers requests go when no base URL is configured. */
export const HF_ROUTER_URL = 'https://router.huggingface.co/v1';

const optionsSchema = z.object({
  /** Inference Endpoint or TGI URL (with or without `/v1`); unset = Inference Providers by model id. */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Hugging Face token (`hf_…`); a local TGI server needs none. */
  token: z.string().optional(),
  /** Name of the variable the token came from, so an auth failure can say what to fix. Default HF_TOKEN without a base URL. */
  tokenEnv: z.string().min(1).optional(),
  /** Whole-call deadline, covering all the requests of one generate(). */
  timeoutMs: z.number().int().positive(),
  /** Endpoint name for logs and the ledger; default: the base URL without credentials, or the router URL. */
  name: z.string().min(1).optional(),
});

export type HuggingFaceProviderOptions = z.input<typeof optionsSchema>;

export interface HuggingFaceProvider extends Provider {
  /** HTTP requests one generate() sends for `n` candidates (one per candidate), for rate accounting. */
  requestsPerGenerate(n: number): number;
}

const chatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      index: z.number().int().optional(),
      message: z.object({ content: z.string().nullable().optional() }),
      finish_reason: z.string().nullable().optional(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() })
    .nullable()
    .optional(),
});

/** TGI names its finish reasons after its internals; the judge speaks OpenAI's. */
const FINISH_REASONS: Record<string, string> = { eos_token: 'stop', stop_sequence: 'stop' };

const errorBodySchema = z
  .object({
    error: z
      .object({
        message: z.string().optional().catch(undefined),
        code: z.union([z.string(), z.number()]).nullish().catch(undefined),
        type: z.string().nullish().catch(undefined),
      })
      .catch({}),
  })
  .catch({ error: {} });

/** TGI and the serverless API answer 503 `{"error": "Model … is currently loading", "estimated_time": 20.0}`. */
const loadingBodySchema = z.object({ estimated_time: z.number().nonnegative() }).catch({ estimated_time: -1 });

const CONTEXT_LENGTH =
  /maximum context length|context length exceeded|context_length_exceeded|tokens \+ `?max_new_tokens`? must be <=|must have less than \d+ tokens/i;
const MAX_ECHOED_CHARS = 500;

/** What the recording fetch saw of one HTTP exchange. */
interface Exchange {
  status?: number;
  headers?: Headers;
  body?: string;
}

class DeadlineExceeded extends Error {}

export function createHuggingFaceProvider(input: HuggingFaceProviderOptions): HuggingFaceProvider {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`Invalid Hugging Face provider option "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`);
  }
  const opts = parsed.data;
  const endpoint = opts.name ?? (opts.baseUrl ? endpointNameFromUrl(opts.baseUrl) : HF_ROUTER_URL);
  const token = opts.token || undefined;
  const client = new InferenceClient(token ?? '', opts.baseUrl ? { endpointUrl: opts.baseUrl } : {});
  const tokenEnv = opts.tokenEnv ?? (opts.baseUrl ? undefined : 'HF_TOKEN');
  const scrub = (text: string): string => (token ? scrubSecret(text, token) : text);

  function authFix(): string {
    if (token) return tokenEnv ? `check the token in ${tokenEnv}` : 'check the token configured for this endpoint';
    return tokenEnv ? `no token was set: set ${tokenEnv}` : 'no token was set: name the variable that holds it with api_key_env';
  }

  function classifyStatus(status: number, exchange: Exchange): ProviderError {
    const raw = exchange.body ?? '';
    const details = errorBodySchema.parse(safeJson(normalizeErrorBody(raw)));
    const serverMessage = details.error.message?.slice(0, MAX_ECHOED_CHARS);
    const said = serverMessage ? `: ${scrub(serverMessage)}` : '';
    if (status === 429) {
      const waitMs = exchange.headers ? retryAfterMsFromHeaders(exchange.headers) : undefined;
      return new RateLimitedError(`${endpoint} rate-limited the request (429)${said}`, endpoint, waitMs, status);
    }
    if (status === 401 || status === 403) {
      const what = status === 401 ? 'rejected the token' : 'refused access with this token';
      return new AuthError(`${endpoint} ${what} (${status}); ${authFix()}${said}`, endpoint, status);
    }
    const code = details.error.code === null || details.error.code === undefined ? '' : String(details.error.code);
    if ([400, 413, 422].includes(status) && (code === 'context_length_exceeded' || CONTEXT_LENGTH.test(serverMessage ?? ''))) {
      return new ContextTooLongError(`${endpoint}: the prompt does not fit the model's context (${status})${said}`, endpoint, status);
    }
    if (status === 408 || status >= 500) {
      // A scaled-to-zero Inference Endpoint answers 503 with how long it expects to take to load.
      const { estimated_time: loadSeconds } = loadingBodySchema.parse(safeJson(raw));
      const loading = loadSeconds < 0 ? '' : ` (the model is loading, about ${Math.ceil(loadSeconds)} s)`;
      return new TransientError(`${endpoint} failed with ${status}${loading}${said}`, endpoint, status);
    }
    if (status === 404) {
      const what = opts.baseUrl ? 'the model and base_url' : 'the model id (and that an Inference Provider serves it)';
      return new FatalError(`${endpoint} does not know the requested model (404); check ${what}${said}`, endpoint, status);
    }
    return new FatalError(`${endpoint} refused the request (${status})${said}`, endpoint, status);
  }

  function classify(err: unknown, exchange: Exchange, deadlineHit: boolean): unknown {
    if (err instanceof ProviderError) return err;
    if (deadlineHit) return new TransientError(`${endpoint} did not answer within ${opts.timeoutMs} ms`, endpoint);
    if (err instanceof InferenceClientProviderApiError || err instanceof InferenceClientHubApiError) {
      return classifyStatus(err.httpResponse.status, exchange);
    }
    if (err instanceof InferenceClientRoutingError) {
      // The router only takes Hugging Face tokens; anything else is refused before a request is sent.
      const fix = token ? `the token in ${tokenEnv ?? 'api_key_env'} is not a Hugging Face token (they start with hf_)` : authFix();
      return new AuthError(`${endpoint}: Inference Providers need a Hugging Face token; ${fix}`, endpoint);
    }
    if (err instanceof InferenceClientError) {
      return new FatalError(`${endpoint}: ${scrub(err.message)}`, endpoint);
    }
    return err;
  }

  /** Hands the library a fetch that remembers what it saw, and turns network failures into TransientErrors. */
  function recordingFetch(exchange: Exchange): typeof globalThis.fetch {
    return async (input, init) => {
      let response: Response;
      try {
        // Read per call so test interceptors installed after the client exists still apply.
        response = await globalThis.fetch(input, init);
      } catch (err) {
        if (init?.signal?.aborted) throw err;
        throw new TransientError(`${endpoint}: connection failed (${scrub(causeText(err))})`, endpoint);
      }
      exchange.status = response.status;
      exchange.headers = response.headers;
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        if (init?.signal?.aborted) throw err;
        if (response.status >= 400) {
          text = '';
        } else {
          throw new TransientError(`${endpoint}: the response body was cut off (${scrub(causeText(err))})`, endpoint, response.status);
        }
      }
      exchange.body = text;
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      headers.delete('content-encoding');
      const nullBody = [204, 205, 304].includes(response.status);
      return new Response(nullBody ? null : text, { status: response.status, statusText: response.statusText, headers });
    };
  }

  async function requestOne(req: GenerateRequest, seed: number | undefined, signal: AbortSignal, deadline: { hit: boolean }) {
    const exchange: Exchange = {};
    try {
      await client.chatCompletion(
        {
          model: req.model,
          messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
          max_tokens: req.maxTokens,
          temperature: req.temperature,
          ...(req.topP === undefined ? {} : { top_p: req.topP }),
          ...(seed === undefined ? {} : { seed }),
        },
        { fetch: recordingFetch(exchange), signal, retry_on_error: false },
      );
    } catch (err) {
      // A 2xx body the library could not use (no usage, wrong content type, bad JSON) is ours to judge.
      const answered = exchange.status !== undefined && exchange.status < 300 && exchange.body !== undefined;
      if (!answered || signal.aborted) throw classify(err, exchange, deadline.hit);
    }
    return parseCompletion(exchange.body ?? '', exchange.status ?? 200);
  }

  function parseCompletion(body: string, status: number): z.infer<typeof chatCompletionSchema> {
    const json = safeJson(body);
    if (json === undefined) {
      throw new TransientError(`${endpoint} sent a body that is not valid JSON (${body.length} bytes)`, endpoint, status);
    }
    const result = chatCompletionSchema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new TransientError(
        `${endpoint} sent a malformed chat completion (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`,
        endpoint,
        status,
      );
    }
    if (result.data.choices.length === 0) {
      throw new TransientError(`${endpoint} sent a chat completion with no choices`, endpoint, status);
    }
    return result.data;
  }

  async function generate(req: GenerateRequest): Promise<GenerateResult> {
    req.signal?.throwIfAborted();
    const started = performance.now();
    // One controller for the call: the deadline, the caller's abort, and a failed sibling request all stop every request.
    const controller = new AbortController();
    const deadline = { hit: false };
    const timer = setTimeout(() => {
      deadline.hit = true;
      controller.abort(new DeadlineExceeded());
    }, opts.timeoutMs);
    const forwardAbort = (): void => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      const seeds = Array.from({ length: req.n }, (_, i) => (req.seed === undefined ? undefined : req.seed + i));
      const completions = await Promise.all(
        seeds.map((seed) =>
          requestOne(req, seed, controller.signal, deadline).catch((err: unknown) => {
            if (!controller.signal.aborted) controller.abort(err);
            throw err;
          }),
        ),
      );
      const candidates: GeneratedCandidate[] = [];
      for (const completion of completions) {
        const choices = [...completion.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
        for (const c of choices) {
          const reason = c.finish_reason ?? 'unknown';
          candidates.push({ text: c.message.content ?? '', finishReason: FINISH_REASONS[reason] ?? reason });
        }
      }
      return {
        candidates,
        usage: sumUsage(completions.map((c) => c.usage)),
        latencyMs: performance.now() - started,
        endpoint,
        model: completions[0]?.model ?? req.model,
      };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (deadline.hit && !(err instanceof ProviderError)) {
        throw new TransientError(`${endpoint} did not answer within ${opts.timeoutMs} ms`, endpoint);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  return { endpoint, generate, requestsPerGenerate: (n) => Math.max(1, n) };
}

/** Usage of all requests together, or null when any of them did not report it. */
function sumUsage(usages: Array<{ prompt_tokens: number; completion_tokens: number } | null | undefined>): Usage | null {
  let promptTokens = 0;
  let completionTokens = 0;
  for (const usage of usages) {
    if (!usage) return null;
    promptTokens += usage.prompt_tokens;
    completionTokens += usage.completion_tokens;
  }
  return { promptTokens, completionTokens };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

