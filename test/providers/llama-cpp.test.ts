// Runs the real tiny model in ../shared/models: a 260K-parameter TinyStories model with no chat template,
// so it continues text rather than following instructions. What it writes is beside the point; that it
// writes, counts, stops and reproduces is what these tests hold.

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-root.js';
import { ContextTooLongError, FatalError } from '../../src/providers/errors.js';
import { createLlamaCppProvider, type LlamaCppProvider } from '../../src/providers/llama-cpp.js';
import type { GenerateRequest } from '../../src/types.js';

const MODEL_PATH = resolve(packageRoot(), '../shared/models/stories260K.gguf');
const modelPresent = existsSync(MODEL_PATH);
if (!modelPresent) {
  console.warn(`llama-cpp tests skipped: ${MODEL_PATH} is absent (see ../shared/models/README.md)`);
}

const request: GenerateRequest = {
  messages: [
    { role: 'system', content: 'Rewrite the text as a short story.' },
    { role: 'user', content: 'Lily went to the park with her dog. They played with a red ball.' },
  ],
  model: 'stories260K',
  maxTokens: 40,
  temperature: 0.8,
  n: 1,
  seed: 7,
};

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

describe.skipIf(!modelPresent)('createLlamaCppProvider on stories260K.gguf', () => {
  let provider: LlamaCppProvider;
  let imports = 0;

  beforeAll(() => {
    // One thread: llama.cpp's threads wait on each other, so while other test files keep a core busy,
    // two threads on a 2-core machine are many times slower than one.
    provider = createLlamaCppProvider({
      modelPath: MODEL_PATH,
      threads: 1,
      contextSize: 512,
      importModule: () => {
        imports++;
        return import('node-llama-cpp');
      },
    });
  });
  afterAll(async () => {
    await provider?.dispose();
  });

  it('loads once for concurrent first requests, with the configured threads and context, as a base model', async () => {
    const [info, first, second] = await Promise.all([provider.load(), provider.generate(request), provider.generate({ ...request, seed: 8 })]);
    expect(imports).toBe(1);
    expect(info.threads).toBe(1);
    expect(info.contextSize).toBeGreaterThanOrEqual(512);
    expect(info.contextSize).toBeLessThanOrEqual(info.trainContextSize);
    expect(info.promptFormat).toBe('completion');
    expect(first.candidates[0]!.text).not.toBe(second.candidates[0]!.text);
  });

  it('generates real text with usage counted by the model tokenizer and an honest finish reason', async () => {
    const result = await provider.generate(request);
    expect(result.endpoint).toBe('llama-cpp:stories260K.gguf');
    expect(result.model).toBe('stories260K');
    expect(result.candidates).toHaveLength(1);
    const [candidate] = result.candidates;
    expect(candidate!.text.trim().length).toBeGreaterThan(0);
    expect(result.usage!.promptTokens).toBeGreaterThan(10);
    expect(result.usage!.completionTokens).toBeGreaterThan(0);
    expect(result.usage!.completionTokens).toBeLessThanOrEqual(40);
    // Stopping at max_tokens is a truncation the judge must see; anything else is the model's own stop.
    expect(candidate!.finishReason).toBe(result.usage!.completionTokens === 40 ? 'length' : 'stop');
  });

  it('draws n candidates with seeds seed, seed + 1, … so any one can be reproduced alone', async () => {
    const pair = await provider.generate({ ...request, n: 2, seed: 11, maxTokens: 24 });
    const again = await provider.generate({ ...request, n: 1, seed: 12, maxTokens: 24 });
    expect(pair.candidates).toHaveLength(2);
    expect(pair.candidates[0]!.text).not.toBe(pair.candidates[1]!.text);
    expect(again.candidates[0]!.text).toBe(pair.candidates[1]!.text);
    expect(pair.usage!.promptTokens).toBe(2 * again.usage!.promptTokens);
  });

  it('refuses a prompt that does not fit the context instead of silently cutting the source', async () => {
    const long = 'Tom had a big red ball and he liked to play with it in the garden every day. '.repeat(40);
    const err = await failureOf(provider.generate({ ...request, messages: [{ role: 'user', content: long }] }));
    expect(err).toBeInstanceOf(ContextTooLongError);
    expect((err as Error).message).toMatch(/exceeds the \d+-token context/);
  });

  it('a max_tokens that fills the whole context is a configuration error, not a split', async () => {
    const err = await failureOf(provider.generate({ ...request, maxTokens: 4096 }));
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toMatch(/raise context_size/);
  });

  it("the caller's abort is passed through", async () => {
    const controller = new AbortController();
    const reason = new Error('run stopped');
    controller.abort(reason);
    expect(await failureOf(provider.generate({ ...request, signal: controller.signal }))).toBe(reason);
  });

  it('uses every core when threads is not set', async () => {
    const defaults = createLlamaCppProvider({ modelPath: MODEL_PATH });
    try {
      expect((await defaults.load()).threads).toBe(availableParallelism());
    } finally {
      await defaults.dispose();
    }
  });

  it('renders messages with a chat template when asked', async () => {
    // One thread: llama.cpp's threads wait on each other, so on a busy 2-core machine two are far slower than one.
    const chat = createLlamaCppProvider({ modelPath: MODEL_PATH, threads: 1, contextSize: 256, promptFormat: 'chat' });
    try {
      expect((await chat.load()).promptFormat).toBe('chat');
      const result = await chat.generate({ ...request, maxTokens: 16 });
      expect(result.candidates[0]!.text.length).toBeGreaterThan(0);
      expect(result.usage!.completionTokens).toBeGreaterThan(0);
      // The template's markers count as prompt tokens too.
      expect(result.usage!.promptTokens).toBeGreaterThan(20);
    } finally {
      await chat.dispose();
    }
  });
});

describe('createLlamaCppProvider without what it needs', () => {
  it('names the package and the install command when node-llama-cpp is missing', async () => {
    const provider = createLlamaCppProvider({
      modelPath: MODEL_PATH,
      importModule: () =>
        Promise.reject(Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: 'ERR_MODULE_NOT_FOUND' })),
    });
    const err = await failureOf(provider.generate(request));
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toContain('node-llama-cpp');
    expect((err as Error).message).toContain('npm i -E node-llama-cpp@3.21.1');
    // Every later request gets the same answer without trying again.
    expect(await failureOf(provider.generate(request))).toBe(err);
  });

  it('names the model path when the file is missing', async () => {
    const missing = resolve(packageRoot(), 'no-such-model.gguf');
    const provider = createLlamaCppProvider({ modelPath: missing, importModule: () => import('node-llama-cpp') });
    const err = await failureOf(provider.generate(request));
    expect(err).toBeInstanceOf(FatalError);
    expect((err as Error).message).toContain(missing);
  });

  it('rejects options it cannot use, naming the option', () => {
    expect(() => createLlamaCppProvider({ modelPath: MODEL_PATH, threads: 0 })).toThrow(/threads/);
    expect(() => createLlamaCppProvider({ modelPath: '' })).toThrow(/modelPath/);
  });
});
