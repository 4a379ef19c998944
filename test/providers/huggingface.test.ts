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
import { createHuggingFaceProvider, HF_ROUTER_URL } from '../../src/providers/huggingface.js';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import { PoolClosedError } from '../../src/pool/pool-events.js';
import { estimateRequestTokens } from '../../src/pool/request-tokens.js';
import type { GenerateRequest } from '../../src/types.js';

const ROUTER_COMPLETIONS = `${HF_ROUTER_URL}/chat/completions`;
const ENDPOINT_URL = 'https://abc123.us-east-1.aws.endpoints.huggingface.cloud';
const TOKEN = 'hf_QmT4vXw9ZkP2rLs8NdYb6JcHe3FgA7uWqR';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function routerProvider(overrides: Partial<Parameters<typeof createHuggingFaceProvider>[0]> = {}) {
  return createHuggingFaceProvider({ token: TOKEN, tokenEnv: 'HF_TOKEN', timeoutMs: 5000, ...overrides });
}

const request: GenerateRequest = {
  messages: [
    { role: 'system', content: 'Rewrite faithfully.' },
    { role: 'user', content: '<document>\nThe sky is blue.\n</document>' },
  ],
  model: 'meta-llama/Llama-3.1-8B-Instruct',
  maxTokens: 256,
  temperature: 0.7,
  topP: 0.9,
  n: 1,
  seed: 42,
};

function completion(overrides: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-hf-1',
    object: 'chat.completion',
    created: 1,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    system_fingerprint: '3.0.1-native',
    choices: [{ index: 0, message: { role: 'assistant', content: 'The sky looks blue.' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 31, completion_tokens: 12, total_tokens: 43 },
    ...overrides,
  };
}

/** Answers every request to `url` with `reply`, keeping a copy of each request the library really sent. */
function answerWith(url: string, reply: (body: Record<string, unknown>) => Response | Promise<Response>) {
  const seen: Array<{ body: Record<string, unknown>; headers: Headers }> = [];
  server.use(
    http.post(url, async ({ request: req }) => {
      const body = (await req.json()) as Record<string, unknown>;
      seen.push({ body, headers: req.headers });
      return reply(body);
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

describe('createHuggingFaceProvider: Inference Providers by model id', () => {
  it('sends the chat request to the router with the token and sampling parameters, and returns text, usage and model', async () => {
    const seen = answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json(completion()));
    const result = await routerProvider().generate(request);

    expect(result.candidates).toEqual([{ text: 'The sky looks blue.', finishReason: 'stop' }]);
    expect(result.usage).toEqual({ promptTokens: 31, completionTokens: 12 });
    expect(result.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(result.endpoint).toBe(HF_ROUTER_URL);

    expect(seen).toHaveLength(1);
    expect(seen[0]!.body).toMatchObject({
      model: 'meta-llama/Llama-3.1-8B-Instruct',
      max_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
      seed: 42,
      messages: request.messages,
    });
    expect(seen[0]!.body).not.toHaveProperty('n');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('draws n candidates as n requests with consecutive seeds and adds up their usage', async () => {
    const seen = answerWith(ROUTER_COMPLETIONS, (body) =>
      HttpResponse.json(
        completion({
          choices: [{ index: 0, message: { content: `seed ${String(body.seed)}` }, finish_reason: body.seed === 43 ? 'length' : 'stop' }],
        }),
      ),
    );
    const provider = routerProvider();
    const result = await provider.generate({ ...request, n: 3 });

    expect(seen.map((s) => s.body.seed).sort()).toEqual([42, 43, 44]);
    expect(result.candidates).toEqual([
      { text: 'seed 42', finishReason: 'stop' },
      { text: 'seed 43', finishReason: 'length' },
      { text: 'seed 44', finishReason: 'stop' },
    ]);
    expect(result.usage).toEqual({ promptTokens: 93, completionTokens: 36 });
    expect(provider.requestsPerGenerate(3)).toBe(3);
  });

  it('is counted by the pool as n requests, each with the whole prompt, against the endpoint’s limits', async () => {
    const seen = answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json(completion()));
    const countTokens = (text: string) => text.length;
    const pool = new MultiEndpointPool([{ provider: routerProvider(), rpm: 4, tpm: 100_000 }], {}, { countTokens });
    const prompt = estimateRequestTokens(request, countTokens).prompt;

    const first = pool.generate({ ...request, n: 3 });
    expect(pool.stats()[0]).toMatchObject({ windowRequests: 3, windowTokens: 3 * prompt + 3 * 256 });
    // One request of the minute's four is left: three more candidates must wait for the next minute.
    const second = pool.generate({ ...request, n: 3 });
    expect(pool.pending).toBe(1);
    expect((await first).candidates).toHaveLength(3);
    expect(seen).toHaveLength(3);
    expect(pool.stats()[0]).toMatchObject({ windowRequests: 3, windowTokens: 93 + 36, promptTokens: 93 });
    await pool.close();
    await expect(second).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('reports usage as null when the server leaves it out, and still returns the text', async () => {
    answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json(completion({ usage: undefined })));
    const result = await routerProvider().generate(request);
    expect(result.usage).toBeNull();
    expect(result.candidates).toEqual([{ text: 'The sky looks blue.', finishReason: 'stop' }]);
  });

  it('without a token, fails with an auth error naming the variable and sends nothing', async () => {
    const seen = answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json(completion()));
    const err = await failureOf(routerProvider({ token: undefined }).generate(request));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/set HF_TOKEN/);
    expect(seen).toHaveLength(0);
  });
});

describe('createHuggingFaceProvider: Inference Endpoints and TGI by URL', () => {
  it('posts to <url>/v1/chat/completions, names the endpoint by its URL and speaks OpenAI finish reasons', async () => {
    const seen = answerWith(`${ENDPOINT_URL}/v1/chat/completions`, () =>
      HttpResponse.json(completion({ model: 'tgi', choices: [{ index: 0, message: { content: 'Blue sky.' }, finish_reason: 'eos_token' }] })),
    );
    const provider = createHuggingFaceProvider({ baseUrl: ENDPOINT_URL, token: TOKEN, timeoutMs: 5000 });
    const result = await provider.generate(request);
    expect(provider.endpoint).toBe(ENDPOINT_URL);
    expect(result.candidates).toEqual([{ text: 'Blue sky.', finishReason: 'stop' }]);
    expect(result.model).toBe('tgi');
    expect(seen).toHaveLength(1);
  });

  it('works without a token for a local TGI server', async () => {
    const local = 'http://127.0.0.1:8080/v1';
    const seen = answerWith(`${local}/chat/completions`, () => HttpResponse.json(completion()));
    await createHuggingFaceProvider({ baseUrl: local, timeoutMs: 5000 }).generate(request);
    expect(seen[0]!.headers.get('authorization')).toBeNull();
  });

  it('a TGI validation error about the input length asks for a split', async () => {
    answerWith(`${ENDPOINT_URL}/v1/chat/completions`, () =>
      HttpResponse.json(
        {
          error: 'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 256 `max_new_tokens`',
          error_type: 'validation',
        },
        { status: 422 },
      ),
    );
    const provider = createHuggingFaceProvider({ baseUrl: ENDPOINT_URL, token: TOKEN, timeoutMs: 5000 });
    expect(await failureOf(provider.generate(request))).toBeInstanceOf(ContextTooLongError);
  });
});

describe('createHuggingFaceProvider: failures become the pool error types', () => {
  it('429 is rate-limited with the server-given wait, sent once', async () => {
    const seen = answerWith(ROUTER_COMPLETIONS, () =>
      HttpResponse.json({ error: 'Rate limit reached. Please retry later.' }, { status: 429, headers: { 'retry-after': '7' } }),
    );
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect((err as Error).message).toContain('Rate limit reached');
    expect(seen).toHaveLength(1);
  });

  it('429 without a wait header leaves the wait to the pool', async () => {
    answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json({ error: { message: 'Too many requests' } }, { status: 429 }));
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBeUndefined();
  });

  it('503 is transient and sent once (the library does not retry behind the pool), with the load estimate', async () => {
    const seen = answerWith(ROUTER_COMPLETIONS, () =>
      HttpResponse.json({ error: 'Model meta-llama/Llama-3.1-8B-Instruct is currently loading', estimated_time: 19.6 }, { status: 503 }),
    );
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).status).toBe(503);
    expect((err as Error).message).toMatch(/loading, about 20 s/);
    expect(seen).toHaveLength(1);
  });

  it('500 with a plain-text body is transient and keeps the text', async () => {
    answerWith(ROUTER_COMPLETIONS, () => new HttpResponse('upstream exploded', { status: 500, headers: { 'content-type': 'text/plain' } }));
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('upstream exploded');
  });

  it('401 names the endpoint and the token variable, never the token, even when the server echoes it', async () => {
    const masked = `${TOKEN.slice(0, 8)}****${TOKEN.slice(-4)}`;
    answerWith(ROUTER_COMPLETIONS, () =>
      HttpResponse.json({ error: `Invalid credentials in Authorization header: ${TOKEN} (${masked})` }, { status: 401 }),
    );
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(AuthError);
    const message = (err as Error).message;
    expect(message).toContain(HF_ROUTER_URL);
    expect(message).toContain('HF_TOKEN');
    expect(message).toContain('Invalid credentials');
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(TOKEN.slice(0, 8));
    expect(message).not.toContain(TOKEN.slice(-10));
    expect(JSON.stringify(err)).not.toContain(TOKEN.slice(3, 12));
  });

  it('403 is an auth failure too', async () => {
    answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json({ error: 'This token does not have inference permissions' }, { status: 403 }));
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).status).toBe(403);
  });

  it('404 for an unknown model is fatal and says to check the model id', async () => {
    answerWith(ROUTER_COMPLETIONS, () =>
      HttpResponse.json(
        { error: { message: "The requested model 'no-such/model' does not exist", type: 'invalid_request_error', code: 'model_not_found' } },
        { status: 404 },
      ),
    );
    const err = await failureOf(routerProvider().generate({ ...request, model: 'no-such/model' }));
    expect(err).toBeInstanceOf(FatalError);
    expect(err).not.toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/check the model id/);
    expect((err as Error).message).toContain("'no-such/model' does not exist");
  });

  it('any other 400 is fatal', async () => {
    answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json({ error: 'temperature must be strictly positive' }, { status: 400 }));
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(FatalError);
    expect(err).not.toBeInstanceOf(ContextTooLongError);
  });

  it('one failing request of n fails the whole call', async () => {
    answerWith(ROUTER_COMPLETIONS, (body) =>
      body.seed === 43 ? HttpResponse.json({ error: 'overloaded' }, { status: 502 }) : HttpResponse.json(completion()),
    );
    const err = await failureOf(routerProvider().generate({ ...request, n: 2 }));
    expect(err).toBeInstanceOf(TransientError);
  });
});

describe('createHuggingFaceProvider: broken answers are transient', () => {
  it('malformed JSON', async () => {
    answerWith(ROUTER_COMPLETIONS, () => new HttpResponse('{"choices":[{"message":', { headers: { 'content-type': 'application/json' } }));
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/not valid JSON/);
  });

  it('a body that is not a chat completion', async () => {
    answerWith(ROUTER_COMPLETIONS, () => HttpResponse.json({ generated_text: 'hello' }));
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/malformed chat completion \(choices/);
  });

  it('a dropped connection', async () => {
    answerWith(ROUTER_COMPLETIONS, () => HttpResponse.error());
    const err = await failureOf(routerProvider().generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/connection failed/);
  });

  it('no answer within timeoutMs', async () => {
    answerWith(ROUTER_COMPLETIONS, async () => {
      await delay('infinite');
      return HttpResponse.json(completion());
    });
    const err = await failureOf(routerProvider({ timeoutMs: 50 }).generate(request));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/within 50 ms/);
  });

  it("the caller's abort is passed through as the abort, not as a provider failure", async () => {
    answerWith(ROUTER_COMPLETIONS, async () => {
      await delay('infinite');
      return HttpResponse.json(completion());
    });
    const controller = new AbortController();
    const pending = routerProvider().generate({ ...request, signal: controller.signal });
    const reason = new Error('run stopped');
    setTimeout(() => controller.abort(reason), 10);
    expect(await failureOf(pending)).toBe(reason);
  });
});
