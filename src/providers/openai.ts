// The OpenAI-compatible chat completions adapter: OpenAI itself, vLLM, llama.cpp server, TGI, Ollama, proxies.
//
// The SDK sends the request and sorts HTTP failures into its typed errors; we read and validate the body
// ourselves so a truncated or malformed answer becomes a TransientError instead of a stray SyntaxError.
// Its retries are off: the pool owns retries, and the SDK would otherwise retry a 429 behind the pool's back.

import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { z } from 'zod';
import type { GenerateRequest, GenerateResult, Provider } from '../types.js';
import {
  AuthError,
  ContextTooLongError,
  FatalError,
  ProviderError,
  RateLimitedError,
  TransientError,
} from './errors.js';
import { rateLimitStatusFromHeaders } from './rate-limit-headers.js';
import { retryAfterMsFromHeaders } from './retry-after.js';
import { httpFetch } from './http-fetch.js';
import { causeText, raceAbort } from './provider-errors-text.js';

const optionsSchema = z.object({
  /** Base URL up to and including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: z.url(),
  /** Bearer key; local servers need none. */
  apiKey: z.string().optional(),
  /** Name of the variable the key came from, so an auth failure can say what to fix. */
  apiKeyEnv: z.string().optional(),
  /** Whole-request deadline, including reading the body. */
  timeoutMs: z.number().int().positive(),
  /** Endpoint name for logs and the ledger; default: the base URL without credentials or query. */
  name: z.string().min(1).optional(),
});

export type OpenAIProviderOptions = z.input<typeof optionsSchema>;

/** The part of a chat completion we rely on; everything else the server sends is ignored. */
const chatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      index: z.number().int().optional(),
      message: z.object({ content: z.string().nullable().optional() }),
      finish_reason: z.string().nullable(),
    }),
  ),
  usage: z
    .object({ prompt_tokens: z.number().nonnegative(), completion_tokens: z.number().nonnegative() })
    .nullable()
    .optional(),
});

// A model listing is small; a server that cannot send it in this long will not serve completions either.
const PREFLIGHT_TIMEOUT_MS = 15_000;

// Keys are sent to servers that never check them; the SDK refuses to start without one.
const PLACEHOLDER_KEY = 'unused';

/** The base URL as it may appear in logs: no user:password@, no ?query or #fragment, no trailing slash. */
export function endpointNameFromUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
}

class DeadlineExceeded extends Error {}

export function createOpenAIProvider(input: OpenAIProviderOptions): Provider {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`Invalid OpenAI provider option "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`);
  }
  const opts = parsed.data;
  const endpoint = opts.name ?? endpointNameFromUrl(opts.baseUrl);
  const apiKey = opts.apiKey || undefined;
  const client = new OpenAI({
    baseURL: opts.baseUrl,
    apiKey: apiKey ?? PLACEHOLDER_KEY,
    maxRetries: 0,
    timeout: opts.timeoutMs,
    fetch: normalizeErrorBodies(httpFetch),
  });
  const scrub = (text: string): string => (apiKey ? scrubSecret(text, apiKey) : text);

  function classifyStatus(err: APIError, status: number): ProviderError {
    const server = describeServerError(err.error);
    const said = server.message ? `: ${scrub(server.message)}` : '';
    if (status === 429) {
      // Quota exhaustion is billing, not pacing: waiting will not bring the money back.
      if (server.code === 'insufficient_quota') {
        return new FatalError(`${endpoint} reports its quota is exhausted (429 insufficient_quota)${said}`, endpoint, status);
      }
      const waitMs = err.headers ? retryAfterMsFromHeaders(err.headers) : undefined;
      return new RateLimitedError(`${endpoint} rate-limited the request (429)${said}`, endpoint, waitMs, status);
    }
    if (status === 401 || status === 403) {
      const fix = !apiKey
        ? opts.apiKeyEnv
          ? `no key was set: set ${opts.apiKeyEnv}`
          : 'no key was set: give this endpoint an API key'
        : opts.apiKeyEnv
          ? `check the key in ${opts.apiKeyEnv}`
          : 'check the API key configured for this endpoint';
      const what = status === 401 ? 'rejected the API key' : 'refused access with this API key';
      return new AuthError(`${endpoint} ${what} (${status}); ${fix}${said}`, endpoint, status);
    }
    if (status === 400 && server.isContextLength) {
      return new ContextTooLongError(`${endpoint}: the prompt does not fit the model's context (400)${said}`, endpoint, status);
    }
    if (status === 408 || status >= 500) {
      return new TransientError(`${endpoint} failed with ${status}${said}`, endpoint, status);
    }
    return new FatalError(`${endpoint} refused the request (${status})${said}`, endpoint, status);
  }

  function classify(err: unknown, deadlineHit: boolean): unknown {
    if (err instanceof ProviderError) return err;
    if (deadlineHit || err instanceof APIConnectionTimeoutError) {
      return new TransientError(`${endpoint} did not answer within ${opts.timeoutMs} ms`, endpoint);
    }
    // Order matters: both of these extend APIError but carry no status.
    if (err instanceof APIUserAbortError) return err;
    if (err instanceof APIConnectionError) {
      return new TransientError(`${endpoint}: connection failed (${scrub(causeText(err))})`, endpoint);
    }
    if (err instanceof APIError && typeof err.status === 'number') return classifyStatus(err, err.status);
    return err;
  }

  // Models whose server refused `response_format`: asked without it from then on, rather than refused every time.
  const withoutStructuredOutput = new Set<string>();

  function send(req: GenerateRequest, structured: boolean, signal: AbortSignal): Promise<Response> {
    const format = structured ? req.responseFormat : undefined;
    return client.chat.completions
      .create(
        {
          model: req.model,
          messages: req.messages,
          n: req.n,
          max_tokens: req.maxTokens,
          temperature: req.temperature,
          ...(req.topP === undefined ? {} : { top_p: req.topP }),
          ...(req.seed === undefined ? {} : { seed: req.seed }),
          ...(format === undefined
            ? {}
            : { response_format: { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: true } } }),
        },
        { signal },
      )
      .asResponse();
  }

  async function generate(req: GenerateRequest): Promise<GenerateResult> {
    req.signal?.throwIfAborted();
    const started = performance.now();
    // One controller per request: it carries both our deadline and the caller's abort, and the SDK
    // attaches listeners to it that a long-lived caller signal would otherwise accumulate.
    const controller = new AbortController();
    let deadlineHit = false;
    const timer = setTimeout(() => {
      deadlineHit = true;
      controller.abort(new DeadlineExceeded());
    }, opts.timeoutMs);
    const forwardAbort = (): void => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      const structured = req.responseFormat !== undefined && !withoutStructuredOutput.has(req.model);
      let response: Response;
      try {
        response = await send(req, structured, controller.signal);
      } catch (err) {
        if (!structured || !refusesStructuredOutput(err)) throw err;
        // Structured output where the server has it; elsewhere the caller parses the free-text answer.
        withoutStructuredOutput.add(req.model);
        response = await send(req, false, controller.signal);
      }
      const body = await readBody(response, controller.signal);
      const completion = parseCompletion(body);
      const choices = [...completion.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      const rateLimit = rateLimitStatusFromHeaders(response.headers);
      return {
        candidates: choices.map((c) => ({ text: c.message.content ?? '', finishReason: c.finish_reason ?? 'unknown' })),
        usage: completion.usage
          ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens }
          : null,
        latencyMs: performance.now() - started,
        endpoint,
        model: completion.model ?? req.model,
        ...(rateLimit ? { rateLimit } : {}),
      };
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      throw classify(err, deadlineHit);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  async function readBody(response: Response, signal: AbortSignal): Promise<string> {
    try {
      // Not every fetch ties an already-returned body to the abort signal (mocking layers don't), so the
      // deadline is raced here too; a real socket is torn down by the abort anyway.
      return await raceAbort(response.text(), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      // A reset or truncated body surfaces here as a stream error, after the status line was fine.
      throw new TransientError(`${endpoint}: the response body was cut off (${scrub(causeText(err))})`, endpoint, response.status);
    }
  }

  function parseCompletion(body: string): z.infer<typeof chatCompletionSchema> {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new TransientError(`${endpoint} sent a body that is not valid JSON (${body.length} bytes)`, endpoint, 200);
    }
    const result = chatCompletionSchema.safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new TransientError(
        `${endpoint} sent a malformed chat completion (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`,
        endpoint,
        200,
      );
    }
    if (result.data.choices.length === 0) {
      throw new TransientError(`${endpoint} sent a chat completion with no choices`, endpoint, 200);
    }
    return result.data;
  }

  async function preflight(model: string): Promise<void> {
    let ids: string[];
    try {
      const page = await client.models.list({ timeout: Math.min(opts.timeoutMs, PREFLIGHT_TIMEOUT_MS) });
      ids = page.data.map((m) => m.id);
    } catch (err) {
      // Servers that list no models (or fail to) are not wrong about the model: the first request will tell.
      if (err instanceof APIError && typeof err.status === 'number' && err.status !== 401 && err.status !== 403) return;
      const e = classify(err, false);
      if (e instanceof AuthError) throw e;
      if (err instanceof APIConnectionTimeoutError) {
        throw new FatalError(`${endpoint} did not answer within ${PREFLIGHT_TIMEOUT_MS} ms: check that the server is up and the base URL is right`, endpoint);
      }
      if (err instanceof APIConnectionError) {
        throw new FatalError(`cannot connect to ${endpoint} (${scrub(causeText(err))}): check that the server is running and the base URL (--base-url / base_url) is right`, endpoint);
      }
      throw e;
    }
    if (ids.length > 0 && !ids.includes(model)) {
      const shown = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, … (${ids.length} in all)` : '');
      throw new FatalError(`${endpoint} does not serve the model '${model}'; it serves: ${shown}. Check --model (or model: in the config)`, endpoint, 404);
    }
  }

  return { endpoint, generate, preflight };
}

// ---- Error bodies ----------------------------------------------------------------------------------------

/**
 * OpenAI nests error details under `error`; vLLM (older), TGI and some proxies put them at the top level or
 * send plain text, and the SDK then reports "(no body)". Rewriting failed responses into OpenAI's shape lets
 * one code path read `code`, `type` and `message` from every server.
 */
function normalizeErrorBodies(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status < 400) return response;
    let text = '';
    try {
      text = await response.text();
    } catch {
      // A body cut off mid-error still has a status worth reporting.
    }
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    headers.set('content-type', 'application/json');
    return new Response(normalizeErrorBody(text), { status: response.status, statusText: response.statusText, headers });
  };
}

const MAX_ECHOED_CHARS = 500;

export function normalizeErrorBody(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim() ? JSON.stringify({ error: { message: text.trim().slice(0, MAX_ECHOED_CHARS) } }) : '';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return text;
  const body = json as Record<string, unknown>;
  if (typeof body.error === 'object' && body.error !== null) return text;
  if (typeof body.error === 'string') {
    return JSON.stringify({ error: { message: body.error, type: body.error_type ?? body.type, code: body.code } });
  }
  const message = body.message ?? body.detail;
  if (typeof message === 'string') return JSON.stringify({ error: { message, type: body.type, code: body.code } });
  return text;
}

/**
 * A server without structured output (older vLLM and llama.cpp servers, TGI, some proxies) refuses the request
 * outright: 400, or 422 from servers that validate the body's shape, naming the field it does not know.
 */
function refusesStructuredOutput(err: unknown): boolean {
  if (!(err instanceof APIError) || (err.status !== 400 && err.status !== 422)) return false;
  const server = describeServerError(err.error);
  return !server.isContextLength && /response_format|json_schema/i.test(server.message ?? '');
}

const serverErrorSchema = z
  .object({
    message: z.string().optional().catch(undefined),
    code: z.union([z.string(), z.number()]).nullish().catch(undefined),
    type: z.string().nullish().catch(undefined),
  })
  .catch({});

interface ServerErrorDetails {
  message?: string;
  code?: string;
  isContextLength: boolean;
}

function describeServerError(error: unknown): ServerErrorDetails {
  const parsed = serverErrorSchema.parse(error ?? {});
  const code = parsed.code === null || parsed.code === undefined ? undefined : String(parsed.code);
  const isContextLength =
    code === 'context_length_exceeded' ||
    parsed.type === 'exceed_context_size_error' || // llama.cpp server
    /maximum context length|context length exceeded/i.test(parsed.message ?? '');
  return { message: parsed.message?.slice(0, MAX_ECHOED_CHARS), code, isContextLength };
}

// ---- Secrets ----------------------------------------------------------------------------------------------

const TOKEN = /[^\s"'`,;()<>[\]{}]+/g;

/**
 * Removes a secret from text a server sent back. Servers echo keys whole or masked
 * (`sk-proj-****...AbCd`), so any token sharing a run of 8 characters with the secret goes too.
 */
export function scrubSecret(text: string, secret: string): string {
  if (!secret) return text;
  const run = Math.min(8, secret.length);
  const secretRuns = new Set<string>();
  for (let i = 0; i + run <= secret.length; i++) secretRuns.add(secret.slice(i, i + run));
  const withoutWhole = text.split(secret).join('[redacted]');
  return withoutWhole.replace(TOKEN, (token) => {
    for (let i = 0; i + run <= token.length; i++) {
      if (secretRuns.has(token.slice(i, i + run))) return '[redacted]';
    }
    return token;
  });
}
