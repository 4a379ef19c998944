import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitedError, TransientError } from '../../src/providers/errors.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import type { GenerateRequest } from '../../src/types.js';
import { faithfulRewrite, startFakeServer, type FakeServer, type FakeServerOptions } from './fake-server.js';

const SOURCE = [
  'The water cycle describes how water moves between the oceans, the air and the land. Heat from the Sun evaporates water from seas and lakes, and plants release more through their leaves in a process called transpiration.',
  '',
  'Scientists estimate that about 505,000 cubic kilometres of water fall as precipitation each year. John Boyd Dunlop patented pneumatic tyres in 1888, which made the ride of a bicycle far smoother for riders in Europe and North America.',
].join('\n');

function chatRequest(source: string, n = 1, extra: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    messages: [
      { role: 'system', content: 'You rewrite documents faithfully.' },
      { role: 'user', content: `Rewrite the document below.\n\n<document>\n${source}\n</document>` },
    ],
    model: 'fake-model',
    maxTokens: 512,
    temperature: 0.8,
    n,
    ...extra,
  };
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts?: FakeServerOptions) {
  server = await startFakeServer(opts);
  return { server, provider: createOpenAIProvider({ baseUrl: server.url, apiKey: undefined, timeoutMs: 2000 }) };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
function ngrams(tokens: string[], n: number): string[] {
  return Array.from({ length: Math.max(0, tokens.length - n + 1) }, (_, i) => tokens.slice(i, i + n).join(' '));
}

const realPassages = readFileSync(new URL('../../../shared/corpus/wikipedia.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { text: string; lang: string })
  .filter((d) => d.lang === 'en' && d.text.length < 2500)
  .slice(0, 8)
  .map((d) => d.text);

describe('faithfulRewrite', () => {
  const output = faithfulRewrite(SOURCE);

  it('keeps every number and capitalised word, and adds no word the source lacks', () => {
    const sourceWords = new Set(SOURCE.match(/[\p{L}\p{N}][\p{L}\p{N},.']*[\p{L}\p{N}]|[\p{L}\p{N}]/gu));
    const outputWords = output.match(/[\p{L}\p{N}][\p{L}\p{N},.']*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? [];
    for (const token of ['505,000', '1888', 'Sun', 'John', 'Boyd', 'Dunlop', 'Europe', 'North', 'America', 'Scientists']) {
      expect(outputWords).toContain(token);
    }
    expect(outputWords.filter((w) => !sourceWords.has(w))).toEqual([]);
  });

  it('keeps every content word of every sentence, sentence by sentence', () => {
    const sentences = (text: string) => text.split(/(?<=[.!?])\s+/).filter((s) => s.trim());
    const filler = new Set(['the', 'a', 'an', 'that', 'and', 'also', 'which']);
    const src = sentences(SOURCE);
    const out = sentences(output);
    expect(out).toHaveLength(src.length);
    src.forEach((sentence, i) => {
      const kept = new Set(words(out[i] as string));
      expect(words(sentence).filter((w) => !filler.has(w) && !kept.has(w))).toEqual([]);
    });
  });

  it('breaks long verbatim runs: less than half of the output 8-grams occur in the source', () => {
    const sourceGrams = new Set(ngrams(words(SOURCE), 8));
    const outputGrams = ngrams(words(output), 8);
    const copied = outputGrams.filter((g) => sourceGrams.has(g)).length / outputGrams.length;
    expect(copied).toBeLessThan(0.5);
  });

  it('passes the wiki style judge on real passages (it is the faithful answer of the e2e tests and the bench)', async () => {
    const { loadStyles } = await import('../../src/prompts.js');
    const { resolveEvaluators } = await import('../../evaluators/index.js');
    const { judgeCandidate } = await import('../../src/judge.js');
    const wiki = loadStyles().get('wiki')!;
    const evaluators = resolveEvaluators(wiki.evaluators);
    for (const text of [SOURCE, ...realPassages]) {
      const j = await judgeCandidate(text, { text: faithfulRewrite(text), finishReason: 'stop' }, wiki, evaluators);
      expect(j.reasons, text.slice(0, 60)).toEqual([]);
    }
  });

  it('stays close to the source length, keeps paragraphs and is deterministic', () => {
    const ratio = output.length / SOURCE.length;
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.1);
    expect(output.split('\n')).toHaveLength(3);
    expect(faithfulRewrite(SOURCE)).toBe(output);
    expect(faithfulRewrite('')).toBe('');
  });
});

describe('startFakeServer default answers, through the real provider', () => {
  it('answers n faithful rewrites of the document with usage, and records the request', async () => {
    const { server, provider } = await start();
    const result = await provider.generate(chatRequest(SOURCE, 2, { seed: 7 }));

    expect(result.candidates).toEqual([
      { text: faithfulRewrite(SOURCE), finishReason: 'stop' },
      { text: faithfulRewrite(SOURCE), finishReason: 'stop' },
    ]);
    expect(result.usage?.promptTokens).toBeGreaterThan(SOURCE.length / 5);
    expect(result.usage?.completionTokens).toBeGreaterThan((2 * faithfulRewrite(SOURCE).length) / 5);
    expect(result.model).toBe('fake-model');

    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ index: 0, source: SOURCE, body: { n: 2, seed: 7, max_tokens: 512 } });
    expect(server.requestCount).toBe(1);
    expect(server.recentRequestCount()).toBe(1);
  });

  it('takes the source as empty when the prompt has no document block', async () => {
    const { server, provider } = await start();
    const result = await provider.generate({ ...chatRequest(''), messages: [{ role: 'user', content: 'hello' }] });
    expect(server.requests[0]?.source).toBe('');
    expect(result.candidates[0]?.text).toBe('');
  });

  it('lists a model and refuses unknown routes', async () => {
    const { server } = await start();
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['fake-model']);
    expect((await fetch(`${server.url}/embeddings`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('refuses a request that is not a chat completion', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{"messages": "nope"}' });
    expect(res.status).toBe(400);
    expect(server.requestCount).toBe(0);
  });
});

describe('startFakeServer scripted replies, through the real provider', () => {
  it('sends scripted texts, finish reason and no usage', async () => {
    const { provider } = await start({ respond: () => ({ contents: ['one', 'two', 'three'], finishReason: 'length', omitUsage: true }) });
    const result = await provider.generate(chatRequest(SOURCE));
    expect(result.candidates.map((c) => [c.text, c.finishReason])).toEqual([
      ['one', 'length'],
      ['two', 'length'],
      ['three', 'length'],
    ]);
    expect(result.usage).toBeNull();
  });

  it('a 429 with retry-after, then the default answer', async () => {
    const { server, provider } = await start({
      respond: (req) => (req.index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : undefined),
    });
    const err = await failureOf(provider.generate(chatRequest(SOURCE)));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(2000);
    const result = await provider.generate(chatRequest(SOURCE));
    expect(result.candidates[0]?.text).toBe(faithfulRewrite(SOURCE));
    expect(server.requestCount).toBe(2);
  });

  it('a 503 with a custom body', async () => {
    const { provider } = await start({ respond: () => ({ status: 503, body: { error: { message: 'warming up' } } }) });
    const err = await failureOf(provider.generate(chatRequest(SOURCE)));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('warming up');
  });

  it('a malformed body', async () => {
    const { provider } = await start({ respond: () => ({ rawBody: '{"choices": [{"message": {"content": "half' }) });
    expect(await failureOf(provider.generate(chatRequest(SOURCE)))).toBeInstanceOf(TransientError);
  });

  it('a hung request times out on the client, and the server still closes', async () => {
    server = await startFakeServer({ respond: () => ({ hang: true }) });
    const provider = createOpenAIProvider({ baseUrl: server.url, apiKey: undefined, timeoutMs: 200 });
    const err = await failureOf(provider.generate(chatRequest(SOURCE)));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/within 200 ms/);
  });

  it('a connection reset mid-body', async () => {
    const { provider } = await start({ respond: () => ({ resetAfterBytes: 40 }) });
    const err = await failureOf(provider.generate(chatRequest(SOURCE)));
    expect(err).toBeInstanceOf(TransientError);
  });

  it('a reset mid-body of an error answer keeps its status', async () => {
    const { provider } = await start({ respond: () => ({ status: 500, resetAfterBytes: 10 }) });
    const err = await failureOf(provider.generate(chatRequest(SOURCE)));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).status).toBe(500);
  });

  it('a respond callback that throws becomes a 500', async () => {
    const { provider } = await start({
      respond: () => {
        throw new Error('script bug');
      },
    });
    const err = await failureOf(provider.generate(chatRequest(SOURCE)));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('script bug');
  });

  it('does not keep requests when recording is off, but still counts them', async () => {
    const { server, provider } = await start({ recordRequests: false });
    await provider.generate(chatRequest(SOURCE));
    await provider.generate(chatRequest(SOURCE));
    expect(server.requests).toEqual([]);
    expect(server.requestCount).toBe(2);
  });
});
