// In-process generation with llama.cpp through node-llama-cpp, for a laptop trial or a machine without a server.
//
// node-llama-cpp is an optional peer dependency: it is imported on the first request, so reword runs without
// it, and its absence is one FatalError saying what to install. The model loads once, lazily, however many
// requests arrive together. One context sequence serves one request at a time (requests queue; candidates are
// drawn one after another with seeds seed, seed + 1, …); consecutive prompts that share a prefix reuse its
// evaluation. Threads are always set: node-llama-cpp's default oversubscribes small machines (on 2 cores,
// 100 tokens took 59 s instead of about 2 s).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { z } from 'zod';
import type { ChatMessage, GenerateRequest, GenerateResult, GeneratedCandidate, Provider } from '../types.js';
import { ContextTooLongError, FatalError, ProviderError, TransientError } from './errors.js';
import { raceAbort } from './provider-errors-text.js';

type NodeLlamaCpp = typeof import('node-llama-cpp');
type LlamaModel = Awaited<ReturnType<Awaited<ReturnType<NodeLlamaCpp['getLlama']>>['loadModel']>>;
type LlamaContext = Awaited<ReturnType<LlamaModel['createContext']>>;
type ChatHistoryItem = Parameters<InstanceType<NodeLlamaCpp['LlamaChat']>['generateResponse']>[0][number];

/** The version reword is tested with; the install hint names it. */
export const NODE_LLAMA_CPP_VERSION = '3.21.1';

const optionsSchema = z.object({
  /** GGUF file to load. */
  modelPath: z.string().min(1),
  /** Model name for the ledger; default: the file name without `.gguf`. */
  model: z.string().min(1).optional(),
  /** CPU threads for evaluation; default: every core (`os.availableParallelism()`). */
  threads: z.number().int().positive().optional(),
  /** Context window in tokens (prompt + output); default 2048, clamped to the model's training context. */
  contextSize: z.number().int().min(64).default(2048),
  /** Deadline of one generate() once its turn has come (waiting for the model or the queue is not counted). */
  timeoutMs: z.number().int().positive().default(120_000),
  /** Endpoint name for logs and the ledger; default `llama-cpp:<file name>`. */
  name: z.string().min(1).optional(),
  /**
   * `chat` renders messages with the model's chat template; `completion` joins their text and lets the model
   * continue it (base models). Default `auto`: chat when the GGUF carries a chat template.
   */
  promptFormat: z.enum(['auto', 'chat', 'completion']).default('auto'),
});

export type LlamaCppProviderOptions = z.input<typeof optionsSchema> & {
  /** How node-llama-cpp is imported; a seam for tests. Default: `import('node-llama-cpp')`. */
  importModule?: () => Promise<NodeLlamaCpp>;
};

/** What was loaded, as the first request (or `load()`) found it. */
export interface LlamaCppModelInfo {
  modelPath: string;
  /** Threads the context was created with. */
  threads: number;
  /** Context size in effect (llama.cpp may round the request up). */
  contextSize: number;
  trainContextSize: number;
  promptFormat: 'chat' | 'completion';
}

export interface LlamaCppProvider extends Provider {
  /** Loads the model now (normally the first request does); the same promise for every caller. */
  load(): Promise<LlamaCppModelInfo>;
  /** Waits for the request in progress, then frees the model and its context. A later request loads it again. */
  dispose(): Promise<void>;
}

interface Loaded {
  info: LlamaCppModelInfo;
  model: LlamaModel;
  context: LlamaContext;
  /** Generates one candidate; called with the queue held. */
  generateOne(messages: ChatMessage[], params: SamplingParams): Promise<{ candidate: GeneratedCandidate; promptTokens: number; completionTokens: number }>;
}

interface SamplingParams {
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  signal: AbortSignal;
}

class DeadlineExceeded extends Error {}

// getLlama loads the native binding and probes the machine (seconds); every provider in the process shares one.
const llamaByModule = new WeakMap<NodeLlamaCpp, ReturnType<NodeLlamaCpp['getLlama']>>();

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

export function createLlamaCppProvider(input: LlamaCppProviderOptions): LlamaCppProvider {
  const { importModule = () => import('node-llama-cpp'), ...rest } = input;
  const parsed = optionsSchema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`Invalid llama-cpp provider option "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`);
  }
  const opts = parsed.data;
  const file = basename(opts.modelPath);
  const endpoint = opts.name ?? `llama-cpp:${file}`;
  const modelName = opts.model ?? file.replace(/\.gguf$/i, '');
  const threads = opts.threads ?? availableParallelism();

  let loading: Promise<Loaded> | undefined;
  // Requests run one at a time on the single sequence; `queue` settles when the last one queued has finished.
  let queue: Promise<unknown> = Promise.resolve();

  async function importLibrary(): Promise<NodeLlamaCpp> {
    try {
      return await importModule();
    } catch (err) {
      if (isModuleNotFound(err)) {
        throw new FatalError(
          `${endpoint}: the llama-cpp provider needs the node-llama-cpp package, which is not installed; install it with: npm i -E node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
          endpoint,
        );
      }
      throw new FatalError(`${endpoint}: node-llama-cpp failed to load (${(err as Error).message})`, endpoint);
    }
  }

  async function loadOnce(): Promise<Loaded> {
    const lib = await importLibrary();
    if (!existsSync(opts.modelPath)) {
      throw new FatalError(`${endpoint}: model_path ${opts.modelPath} does not exist; point it at a .gguf file`, endpoint);
    }
    let llamaPromise = llamaByModule.get(lib);
    if (!llamaPromise) {
      llamaPromise = lib.getLlama({ build: 'never', gpu: false, logLevel: lib.LlamaLogLevel.error, progressLogs: false });
      llamaByModule.set(lib, llamaPromise);
    }
    let llama: Awaited<typeof llamaPromise>;
    try {
      llama = await llamaPromise;
    } catch (err) {
      llamaByModule.delete(lib);
      throw new FatalError(
        `${endpoint}: node-llama-cpp has no usable llama.cpp binary for this machine (${(err as Error).message}); reinstall with: npm i -E node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
        endpoint,
      );
    }
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: opts.modelPath });
    } catch (err) {
      throw new FatalError(`${endpoint}: cannot load ${opts.modelPath} (${(err as Error).message}); is it a GGUF file?`, endpoint);
    }
    const trainContextSize = model.trainContextSize;
    let context: LlamaContext;
    try {
      // Some GGUFs do not record their training context (0); then the configured size stands alone.
      const contextSize = trainContextSize > 0 ? Math.min(opts.contextSize, trainContextSize) : opts.contextSize;
      context = await model.createContext({ contextSize, threads, sequences: 1 });
    } catch (err) {
      await model.dispose();
      throw new FatalError(`${endpoint}: cannot create a ${opts.contextSize}-token context (${(err as Error).message}); lower context_size`, endpoint);
    }
    const hasTemplate = typeof model.fileInfo.metadata?.tokenizer?.chat_template === 'string';
    const promptFormat = opts.promptFormat === 'auto' ? (hasTemplate ? 'chat' : 'completion') : opts.promptFormat;
    const info: LlamaCppModelInfo = {
      modelPath: opts.modelPath,
      threads: context.idealThreads,
      contextSize: context.contextSize,
      trainContextSize,
      promptFormat,
    };
    const sequence = context.getSequence();
    const generateOne = promptFormat === 'chat' ? chatGenerator(lib, model, sequence) : completionGenerator(lib, model, sequence);
    return { info, model, context, generateOne };
  }

  function completionGenerator(lib: NodeLlamaCpp, model: LlamaModel, sequence: ReturnType<LlamaContext['getSequence']>): Loaded['generateOne'] {
    const completion = new lib.LlamaCompletion({ contextSequence: sequence });
    const prependsBos = model.tokens.shouldPrependBosToken && model.tokens.bos !== null;
    return async (messages, params) => {
      // A base model has no roles: it continues the text, so the messages become one document.
      const text = `${messages.map((m) => m.content).join('\n\n')}\n\n`;
      const tokens = model.tokenize(text, false, prependsBos ? 'trimLeadingSpace' : undefined);
      const promptTokens = tokens.length + (prependsBos ? 1 : 0);
      checkFits(promptTokens, params.maxTokens, sequence.contextSize);
      let completionTokens = 0;
      const result = await completion.generateCompletionWithMeta(tokens, {
        ...sampling(params),
        onToken: (generated) => {
          completionTokens += generated.length;
        },
      });
      return { candidate: { text: result.response, finishReason: finishReasonOf(result.metadata.stopReason) }, promptTokens, completionTokens };
    };
  }

  function chatGenerator(lib: NodeLlamaCpp, model: LlamaModel, sequence: ReturnType<LlamaContext['getSequence']>): Loaded['generateOne'] {
    const chat = new lib.LlamaChat({ contextSequence: sequence, chatWrapper: lib.resolveChatWrapper(model) });
    return async (messages, params) => {
      const history: ChatHistoryItem[] = messages.map((m) =>
        m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
      );
      history.push({ type: 'model', response: [] });
      const { contextText } = chat.chatWrapper.generateContextState({ chatHistory: history });
      const promptTokens = contextText.tokenize(model.tokenizer).length;
      checkFits(promptTokens, params.maxTokens, sequence.contextSize);
      let completionTokens = 0;
      const result = await chat.generateResponse(history, {
        ...sampling(params),
        onToken: (generated) => {
          completionTokens += generated.length;
        },
      });
      return { candidate: { text: result.response, finishReason: finishReasonOf(result.metadata.stopReason) }, promptTokens, completionTokens };
    };
  }

  function sampling(params: SamplingParams) {
    return {
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      ...(params.topP === undefined ? {} : { topP: params.topP }),
      ...(params.seed === undefined ? {} : { seed: params.seed }),
      signal: params.signal,
      // The prompt was checked to fit; shifting the context would silently drop the start of the source.
      disableContextShift: true,
    };
  }

  function checkFits(promptTokens: number, maxTokens: number, contextSize: number): void {
    if (maxTokens >= contextSize) {
      throw new FatalError(
        `${endpoint}: max_tokens ${maxTokens} leaves no room for a prompt in the ${contextSize}-token context; raise context_size or lower the style's max output tokens`,
        endpoint,
      );
    }
    if (promptTokens + maxTokens > contextSize) {
      throw new ContextTooLongError(
        `${endpoint}: the prompt (${promptTokens} tokens) plus max_tokens (${maxTokens}) exceeds the ${contextSize}-token context`,
        endpoint,
      );
    }
  }

  function load(): Promise<Loaded> {
    loading ??= loadOnce();
    return loading;
  }

  /** Runs `task` when the requests queued before it have finished; a caller's abort ends the wait. */
  function whenIdle<T>(task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const run = queue.then(() => {
      signal?.throwIfAborted();
      return task();
    });
    queue = run.catch(() => undefined);
    return signal ? raceAbort(run, signal) : run;
  }

  async function generate(req: GenerateRequest): Promise<GenerateResult> {
    req.signal?.throwIfAborted();
    const started = performance.now();
    const loaded = req.signal ? await raceAbort(load(), req.signal) : await load();
    return whenIdle(async () => {
      const controller = new AbortController();
      let deadlineHit = false;
      const timer = setTimeout(() => {
        deadlineHit = true;
        controller.abort(new DeadlineExceeded());
      }, opts.timeoutMs);
      const forwardAbort = (): void => controller.abort(req.signal?.reason);
      req.signal?.addEventListener('abort', forwardAbort, { once: true });
      try {
        const candidates: GeneratedCandidate[] = [];
        let promptTokens = 0;
        let completionTokens = 0;
        for (let i = 0; i < req.n; i++) {
          const one = await loaded.generateOne(req.messages, {
            maxTokens: req.maxTokens,
            temperature: req.temperature,
            topP: req.topP,
            seed: req.seed === undefined ? undefined : req.seed + i,
            signal: controller.signal,
          });
          candidates.push(one.candidate);
          promptTokens += one.promptTokens;
          completionTokens += one.completionTokens;
        }
        return { candidates, usage: { promptTokens, completionTokens }, latencyMs: performance.now() - started, endpoint, model: modelName };
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        if (deadlineHit) throw new TransientError(`${endpoint} did not finish generating within ${opts.timeoutMs} ms`, endpoint);
        if (err instanceof ProviderError) throw err;
        throw new FatalError(`${endpoint}: llama.cpp generation failed (${(err as Error).message})`, endpoint);
      } finally {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', forwardAbort);
      }
    }, req.signal);
  }

  async function dispose(): Promise<void> {
    const current = loading;
    loading = undefined;
    if (!current) return;
    await queue;
    const loaded = await current.catch(() => undefined);
    if (!loaded) return;
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  return {
    endpoint,
    generate,
    load: async () => (await load()).info,
    // Loading is the check: a missing package, file or a bad GGUF is reported before any document is read.
    preflight: async () => {
      await load();
    },
    dispose,
  };
}

function finishReasonOf(stopReason: string): string {
  return stopReason === 'maxTokens' ? 'length' : 'stop';
}

