import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  ContextTooLongError,
  FatalError,
  RateLimitedError,
  TransientError,
} from '../../src/providers/errors.js';
import { createOpenAIProvider, endpointNameFromUrl, scrubSecret } from '../../src/providers/openai.js';
import { parseDurationMs, retryAfterMsFromHeaders } from '../../src/providers/retry-after.js';
import type { GenerateRequest } from '../../src/types.js';

const BASE_URL = 'https://llm.example.test/v1';
const COMPLETIONS = `${BASE_URL}/chat/completions`;
const KEY = 'sk-proj-Zq81mN0vXc4LpR7tYw2sKd9fHg3JbA6e';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function provider(overrides: Partial<Parameters<typeof createOpenAIProvider>[0]> = {}) {
  return createOpenAIProvider({ baseUrl: BASE_URL, apiKey: KEY, apiKeyEnv: 'REWORD_API_KEY', timeoutMs: 5000, ...overrides });
}

const request: GenerateRequest = {
  messages: [
    { role: 'system', content: 'Rewrite faithfully.' },
    { role: 'user', content: '<document>\nThe sky is blue.\n</document>' },
  ],
  model: 'gpt-test',
  maxTokens: 256,
  temperature: 0.7,
  topP: 0.9,
  n: 2,
  seed: 42,
};

function completion(overrides: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-test-2024',
    choices: [
      { index: 1, message: { role: 'assistant', content: 'Blue is the sky.' }, finish_reason: 'length' },
      { index: 0, message: { role: 'assistant', content: 'The sky looks blue.' }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 31, completion_tokens: 12, total_tokens: 43 },
    ...overrides,
  };
}

/** Answers every completion request with `reply`, counting the requests the SDK really sent. */
function answerWith(reply: () => Response | Promise<Response>) {
  const seen: Request[] = [];
  server.use(
    http.post(COMPLETIONS, ({ request: req }) => {
      seen.push(req.clone());
      return reply();
    }),
  );
  return seen;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

describe('createOpenAIProvider: successful completions', () => {
  it('returns every candidate in choice order with usage, model and endpoint, and sends the sampling parameters', async () => {
    const seen = answerWith(() => HttpResponse.json(completion()));
    const result = await provider().generate(request);

    expect(result.candidates).toEqual([
      { text: 'The sky looks blue.', finishReason: 'stop' },
      { text: 'Blue is the sky.', finishReason: 'length' },
    ]);
    expect(result.usage).toEqual({ promptTokens: 31, completionTokens: 12 });
    expect(result.model).toBe('gpt-test-2024');
    expect(result.endpoint).toBe(BASE_URL);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);

    expect(seen).toHaveLength(1);
    const sent = await seen[0]!.json();
    expect(sent).toMatchObject({ model: 'gpt-test', n: 2, seed: 42, max_tokens: 256, temperature: 0.7, top_p: 0.9 });
    expect(sent.messages).toEqual(request.messages);
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('reports usage as null when the server leaves it out', async () => {
    answerWith(() => HttpResponse.json(completion({ usage: undefined })));
    const result = await provider().generate(request);
    expect(result.usage).toBeNull();
    expect(result.candidates).toHaveLength(2);
  });

  it('works without a key (local servers) and leaves out seed and top_p when not given', async () => {
    const seen = answerWith(() => HttpResponse.json(completion()));
    const { seed: _seed, topP: _topP, ...plain } = request;
    await provider({ apiKey: undefined }).generate(plain);
    const sent = await seen[0]!.json();
    expect(sent).not.toHaveProperty('seed');
    expect(sent).not.toHaveProperty('top_p');
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer unused');
  });

  it('reads null content as empty text', async () => {
    answerWith(() =>
      HttpResponse.json(completion({ choices: [{ index: 0, message: { content: null }, finish_reason: 'content_filter' }] })),
    );
    const result = await provider().generate(request);
    expect(result.candidates).toEqual([{ text: '', finishReason: 'content_filter' }]);
  });

  it('names the endpoint without credentials or query', () => {
    expect(endpointNameFromUrl('https://user:secret@llm.example.test/v1/?api-version=2024&key=abc')).toBe(
      'https://llm.example.test/v1',
    );
    expect(provider({ name: 'primary' }).endpoint).toBe('primary');
  });

  it('rejects options it cannot use, naming the option', () => {
    expect(() => provider({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => provider({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
  });
});

describe('createOpenAIProvider: 429 becomes RateLimitedError with the server-given wait', () => {
  const rateLimitBody = { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } };
  const cases: Array<[string, Record<string, string>, number | undefined]> = [
    ['retry-after-ms', { 'retry-after-ms': '1500' }, 1500],
    ['retry-after in seconds', { 'retry-after': '7' }, 7000],
    ['x-ratelimit-reset-requests', { 'x-ratelimit-reset-requests': '6m0s', 'x-ratelimit-remaining-requests': '0' }, 360_000],
    [
      'x-ratelimit-reset-tokens (the exhausted limit wins)',
      {
        'x-ratelimit-reset-requests': '20s',
        'x-ratelimit-remaining-requests': '14',
        'x-ratelimit-reset-tokens': '250ms',
        'x-ratelimit-remaining-tokens': '0',
      },
      250,
    ],
    ['no header', {}, undefined],
  ];

  it.each(cases)('%s', async (_name, headers, expectedMs) => {
    const seen = answerWith(() => HttpResponse.json(rateLimitBody, { status: 429, headers }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(expectedMs);
    expect((err as RateLimitedError).status).toBe(429);
    expect(seen).toHaveLength(1); // the SDK did not retry behind the pool's back
  });

  it('retry-after as an HTTP date', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    answerWith(() => HttpResponse.json(rateLimitBody, { status: 429, headers: { 'retry-after': at } }));
    const err = (await failureOf(provider().generate(request))) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    // HTTP dates have one-second resolution.
    expect(err.retryAfterMs).toBeGreaterThan(28_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('treats an exhausted quota as fatal, since waiting will not fix billing', async () => {
    answerWith(() =>
      HttpResponse.json(
        { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
        { status: 429 },
      ),
    );
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(FatalError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
  });
});

describe('createOpenAIProvider: error mapping', () => {
  it.each([500, 502, 503])('%i is transient, sent once', async (status) => {
    const seen = answerWith(() => HttpResponse.json({ error: { message: 'upstream overloaded', type: 'server_error' } }, { status }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).status).toBe(status);
    expect((err as Error).message).toContain('upstream overloaded');
    expect(seen).toHaveLength(1);
  });

  it('401 names the endpoint and the key variable, never the key, even when the server echoes it', async () => {
    const masked = `${KEY.slice(0, 10)}${'*'.repeat(20)}${KEY.slice(-4)}`;
    answerWith(() =>
      HttpResponse.json(
        {
          error: {
            message: `Incorrect API key provided: ${masked}. Full key was ${KEY}. You can find your API key at https://platform.example/keys.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        },
        { status: 401 },
      ),
    );
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(AuthError);
    const message = (err as Error).message;
    expect(message).toContain(BASE_URL);
    expect(message).toContain('REWORD_API_KEY');
    expect(message).not.toContain(KEY);
    expect(message).not.toContain(KEY.slice(0, 10));
    expect(message).not.toContain(KEY.slice(-12));
    expect(message).toContain('Incorrect API key provided');
  });

  it('403 is an auth failure too', async () => {
    answerWith(() => HttpResponse.json({ error: { message: 'Project does not have access to model' } }, { status: 403 }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(403);
  });

  it('401 without a key says to set the variable', async () => {
    answerWith(() => HttpResponse.json({ error: { message: 'Missing bearer token' } }, { status: 401 }));
    const err = await failureOf(provider({ apiKey: undefined }).generate(request));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/set REWORD_API_KEY/);
  });

  it('404 model not found is fatal', async () => {
    answerWith(() =>
      HttpResponse.json(
        { error: { message: 'The model `gpt-test` does not exist', type: 'invalid_request_error', code: 'model_not_found' } },
        { status: 404 },
      ),
    );
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(FatalError);
    expect(err).not.toBeInstanceOf(AuthError);
    expect((err as Error).message).toContain('does not exist');
  });

  it('400 context_length_exceeded asks for a split', async () => {
    answerWith(() =>
      HttpResponse.json(
        {
          error: {
            message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9100 tokens.",
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
          },
        },
        { status: 400 },
      ),
    );
    expect(await failureOf(provider().generate(request))).toBeInstanceOf(ContextTooLongError);
  });

  it('400 with a flat vLLM-style body mentioning the maximum context length asks for a split', async () => {
    answerWith(() =>
      HttpResponse.json(
        { object: 'error', message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', code: 400 },
        { status: 400 },
      ),
    );
    expect(await failureOf(provider().generate(request))).toBeInstanceOf(ContextTooLongError);
  });

  it('any other 400 is fatal', async () => {
    answerWith(() => HttpResponse.json({ error: { message: "'temperature' must be at most 2" } }, { status: 400 }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(FatalError);
    expect(err).not.toBeInstanceOf(ContextTooLongError);
  });

  it('a plain-text error body still reaches the message', async () => {
    answerWith(() => new HttpResponse('Bad Gateway from proxy', { status: 502, headers: { 'content-type': 'text/plain' } }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('Bad Gateway from proxy');
  });
});

describe('createOpenAIProvider: broken answers are transient', () => {
  it('malformed JSON', async () => {
    answerWith(() => new HttpResponse('{"id":"chatcmpl-1","choices":[{"message":', { headers: { 'content-type': 'application/json' } }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/not valid JSON/);
  });

  it('empty choices', async () => {
    answerWith(() => HttpResponse.json(completion({ choices: [] })));
    expect(await failureOf(provider().generate(request))).toBeInstanceOf(TransientError);
  });

  it('a body that is not a chat completion', async () => {
    answerWith(() => HttpResponse.json({ result: 'ok' }));
    const err = await failureOf(provider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/malformed chat completion \(choices/);
  });

  it('a dropped connection', async () => {
    answerWith(() => HttpResponse.error());
    expect(await failureOf(provider().generate(request))).toBeInstanceOf(TransientError);
  });

  it('no answer within timeoutMs', async () => {
    answerWith(async () => {
      await delay('infinite');
      return HttpResponse.json(completion());
    });
    const err = await failureOf(provider({ timeoutMs: 50 }).generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/within 50 ms/);
  });

  it('a body that starts and then stalls is cut off at timeoutMs', async () => {
    answerWith(() => {
      const stalled = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"id":"chatcmpl-1","choices":['));
        },
      });
      return new HttpResponse(stalled, { headers: { 'content-type': 'application/json' } });
    });
    const err = await failureOf(provider({ timeoutMs: 100 }).generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/within 100 ms/);
  });

  it("the caller's abort is passed through as the abort, not as a provider failure", async () => {
    answerWith(async () => {
      await delay('infinite');
      return HttpResponse.json(completion());
    });
    const controller = new AbortController();
    const pending = provider().generate({ ...request, signal: controller.signal });
    const reason = new Error('run stopped');
    setTimeout(() => controller.abort(reason), 10);
    expect(await failureOf(pending)).toBe(reason);
  });
});

describe('retry-after header parsing', () => {
  it('reads Go-style durations', () => {
    expect(parseDurationMs('1s')).toBe(1000);
    expect(parseDurationMs('6m0s')).toBe(360_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1h2m3.5s')).toBe(3_723_500);
    expect(parseDurationMs('2.5')).toBe(2500);
    expect(parseDurationMs('soon')).toBeUndefined();
  });

  it('prefers retry-after-ms, then retry-after, then the reset headers', () => {
    const all = { 'retry-after-ms': '120', 'retry-after': '3', 'x-ratelimit-reset-requests': '9s' };
    expect(retryAfterMsFromHeaders(all)).toBe(120);
    expect(retryAfterMsFromHeaders({ 'Retry-After': '3', 'x-ratelimit-reset-requests': '9s' })).toBe(3000);
    expect(retryAfterMsFromHeaders(new Headers({ 'x-ratelimit-reset-requests': '9s', 'x-ratelimit-reset-tokens': '2s' }))).toBe(9000);
    expect(retryAfterMsFromHeaders({ 'retry-after': 'garbage' })).toBeUndefined();
  });

  it('a retry-after date in the past means no wait', () => {
    const now = Date.parse('2030-01-01T00:00:10Z');
    expect(retryAfterMsFromHeaders({ 'retry-after': 'Tue, 01 Jan 2030 00:00:00 GMT' }, now)).toBe(0);
  });
});

describe('scrubSecret', () => {
  it('removes whole and masked echoes of the key and leaves other words', () => {
    const text = `key ${KEY} rejected; provided: sk-proj-Zq8*****A6e; see docs`;
    const scrubbed = scrubSecret(text, KEY);
    expect(scrubbed).not.toContain('Zq8');
    expect(scrubbed).toBe('key [redacted] rejected; provided: [redacted]; see docs');
  });
});

describe('createOpenAIProvider: structured output', () => {
  const schema = { type: 'object', properties: { verdict: { type: 'string' } }, required: ['verdict'], additionalProperties: false };
  const structured: GenerateRequest = { ...request, n: 1, responseFormat: { type: 'json_schema', name: 'judgement', schema } };

  it('sends the JSON schema as a strict response_format', async () => {
    const seen = answerWith(() => HttpResponse.json(completion()));
    await provider().generate(structured);
    const sent = await seen[0]!.json();
    expect(sent.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'judgement', schema, strict: true } });
  });

  it('sends no response_format when none is asked for', async () => {
    const seen = answerWith(() => HttpResponse.json(completion()));
    await provider().generate(request);
    expect(await seen[0]!.json()).not.toHaveProperty('response_format');
  });

  it('asks again without it when the server refuses response_format, and does not offer it to that model again', async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.post(COMPLETIONS, async ({ request: req }) => {
        const sent = (await req.json()) as Record<string, unknown>;
        bodies.push(sent);
        return 'response_format' in sent
          ? HttpResponse.json({ object: 'error', message: 'response_format type json_schema is not supported', code: 400 }, { status: 400 })
          : HttpResponse.json(completion());
      }),
    );
    const openai = provider();
    const result = await openai.generate(structured);
    expect(result.candidates[0]!.text).toBe('The sky looks blue.');
    expect(bodies.map((body) => 'response_format' in body)).toEqual([true, false]);
    expect(bodies[1]).toMatchObject({ model: 'gpt-test', max_tokens: 256, messages: request.messages });

    await openai.generate(structured);
    expect(bodies.map((body) => 'response_format' in body)).toEqual([true, false, false]);
  });

  it('retries once only: a second refusal is the fatal error it is', async () => {
    const seen = answerWith(() => HttpResponse.json({ error: { message: "unknown field 'json_schema'" } }, { status: 400 }));
    const err = await failureOf(provider().generate(structured));
    expect(err).toBeInstanceOf(FatalError);
    expect(seen).toHaveLength(2);
  });

  it('does not retry other 400s, even on a structured request', async () => {
    const seen = answerWith(() => HttpResponse.json({ error: { message: "'temperature' must be at most 2" } }, { status: 400 }));
    expect(await failureOf(provider().generate(structured))).toBeInstanceOf(FatalError);
    expect(seen).toHaveLength(1);
  });
});
