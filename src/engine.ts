import { readFileSync } from 'node:fs';
import { chunkDocument } from './chunk.js';
import { ConfigError, type RunConfig } from './config.js';
import { resolveEvaluators } from '../evaluators/index.js';
import { defaultNearDuplicateIndex } from '../evaluators/near-duplicate.js';
import type { JudgeServices } from './judge.js';
import { defaultJudgeThreads, JudgeStage } from './judge-stage.js';
import { createPooledJudgeModel } from './judge-model.js';
import { openLedger } from './ledger/open-ledger.js';
import { beginRun, finishRun, type RunStatus } from './ledger/runs.js';
import { LedgerWriter, type AttemptRecord } from './ledger/writer.js';
import { MultiEndpointPool } from './pool/multi-endpoint-pool.js';
import { loadStyles, renderMessages } from './prompts.js';
import { createProvider, type ConfiguredProvider } from './providers/create-provider.js';
import { Budget, BudgetExhaustedError } from './budget.js';
import { countTokens } from './tokens.js';
import { ledgerSpend } from './ledger/stats.js';
import { AuthError } from './providers/errors.js';
import { makeRedactor } from './redact.js';
import { sampleTask, type SamplingPolicy, type SamplingResult } from './rejection-sampling.js';
import { assertInputsReadable, readSources } from './sources/read-sources.js';
import { defaultTemperature, modelKey, samplingParams, taskKey } from './task-key.js';
import type { Chunk, GeneratedCandidate, GenerateRequest, InputError, Provider, Style } from './types.js';
import { rewordVersion } from './version.js';

export interface RunProgress {
  documents: number;
  inputErrors: number;
  /** Tasks found so far (all of them once `readingDone`). */
  tasksSeen: number;
  /** Tasks already finished in the ledger before this run. */
  tasksSkipped: number;
  accepted: number;
  rejected: number;
  failed: number;
  inFlight: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  readingDone: boolean;
  elapsedMs: number;
  /** Bytes of the inputs read so far (kept up to date by readSources). */
  inputBytesRead?: number;
  /** Bytes of all the inputs, once known; never for stdin or a pipe. With `inputBytesRead`, estimates progress before reading ends. */
  inputBytesTotal?: number;
}

export interface RunSummary extends RunProgress {
  runId: number;
  status: RunStatus;
  /** Set when a fatal provider error stopped the run. */
  fatalError?: string;
  /** Set when --max-cost or --max-tokens stopped the run. */
  budgetStop?: string;
  /** Ledger-wide spend, this run included. */
  spentTokens: number;
  spentCostUsd: number;
  timings: RunTimings;
}

/** Where reword's own time went, in milliseconds of the run's wall time (`npm run bench` reports shares of it). */
export interface RunTimings {
  /** Judging candidates on the engine's thread (a model-calling evaluator's wait is not counted). */
  judgeMs: number;
  /** Judging candidates in the judge worker threads, summed over them (runs beside the engine's thread). */
  judgeWorkerMs: number;
  /** Committing to the ledger. */
  ledgerMs: number;
  /** Cutting documents into chunks, token counting included. */
  chunkMs: number;
}

export interface RunHooks {
  /** A custom provider (tests, embedding); default: the configured OpenAI-compatible endpoint. */
  provider?: Provider;
  /** Aborting it stops the run gracefully: no new work, in-flight requests get `stopGraceMs`. */
  stopSignal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Each record that could not become a document (it is also recorded in the ledger). */
  onInputError?: (e: InputError) => void;
  progressIntervalMs?: number;
  /** Environment to read the API key from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

interface PlannedStyle {
  style: Style;
  policy: SamplingPolicy;
  /** Whether the style's judge compares candidates with earlier accepted outputs. */
  tracksNearDuplicates: boolean;
  /** The sampling parameters that are part of the task key. */
  params: Record<string, unknown>;
  evaluators: ReturnType<typeof resolveEvaluators>;
}

function planStyles(config: RunConfig): PlannedStyle[] {
  const styles = loadStyles({ extraDir: config.promptsDir });
  return config.styles.map((id) => {
    const style = styles.get(id);
    if (!style) {
      throw new ConfigError(`unknown style '${id}': known styles are ${[...styles.keys()].join(', ')} (or add one with --prompts DIR)`);
    }
    const refs =
      config.judge && !style.evaluators.some((e) => e.id === 'llm-judge')
        ? [...style.evaluators, { id: 'llm-judge', options: { mode: config.judge.mode, sampleRate: config.judge.sampleRate } }]
        : style.evaluators;
    return {
      style,
      evaluators: resolveEvaluators(refs),
      params: samplingParams(config, style),
      tracksNearDuplicates: style.evaluators.some((e) => e.id === 'near-duplicate'),
      policy: {
        model: modelKey(config),
        maxTokens: style.maxOutputTokens,
        temperature: config.temperature ?? style.temperature ?? defaultTemperature,
        topP: config.topP,
        candidates: config.candidates,
        maxAttempts: config.maxAttempts,
        baseSeed: config.seed,
      },
    };
  });
}

/** Runs sources → chunker → tasks → pool → judge → ledger. Returns when every task is settled or the run stops. */
export async function runRephrase(config: RunConfig, hooks: RunHooks = {}): Promise<RunSummary> {
  const env = hooks.env ?? process.env;
  const allEndpoints = [...config.endpoints, ...(config.judge ? [config.judge.endpoint] : [])];
  const redact = makeRedactor(allEndpoints.map((e) => (e.provider !== 'llama-cpp' && e.apiKeyEnv ? env[e.apiKeyEnv] : undefined)));
  const planned = planStyles(config);
  await assertInputsReadable(config.inputs);

  const providers: ConfiguredProvider[] = hooks.provider ? [hooks.provider] : config.endpoints.map((e) => createProvider(e, env));
  // Unknown model, wrong URL, refused connection, bad key: said once, before any document is read or marked failed.
  await Promise.all(providers.map((p, i) => p.preflight?.(config.endpoints[i]?.model ?? config.endpoints[0]!.model)));
  const pool = createPool(providers, config);
  const judgeProvider = config.judge ? createProvider(config.judge.endpoint, env) : undefined;
  await judgeProvider?.preflight?.(config.judge!.endpoint.model);
  const judgePool = judgeProvider ? new MultiEndpointPool([{ provider: judgeProvider, maxInFlight: config.judge!.endpoint.maxInFlight }], { maxRetries: config.maxRetries }) : undefined;
  // What the prompt costs before its chunk: counted once per style, so a request's estimate is a sum, not a tokenisation.
  const templateTokens = new Map(planned.map((p) => [p.style.id, countTokens(renderMessages(p.style, '').map((m) => m.content).join('\n'))]));

  const judgeStage = new JudgeStage(planned, config.judgeThreads ?? defaultJudgeThreads());
  let db: ReturnType<typeof openLedger>;
  let runId: number;
  try {
    db = openLedger(config.ledger);
    runId = beginRun(db, config.ledger, config, rewordVersion);
  } catch (err) {
    await judgeStage.close();
    throw err;
  }
  const inProgress = new Set<string>();
  const writer = new LedgerWriter(db, { onCommit: (keys) => keys.forEach((k) => inProgress.delete(k)) });
  for (const p of planned) writer.writePrompt(p.style, readFileSync(p.style.path, 'utf8'));
  const lookupTask = db.prepare(`SELECT status, attempts FROM tasks WHERE task_key = ?`);
  const prices = endpointPrices(config);
  const budget = new Budget({
    maxTokens: config.maxTokens,
    maxCost: config.maxCost,
    prices,
    alreadySpent: ledgerSpend(db),
  });
  let budgetStop: BudgetExhaustedError | undefined;
  const timings = { chunkMs: 0 };
  const started = Date.now();
  const progress: RunProgress = {
    documents: 0, inputErrors: 0, tasksSeen: 0, tasksSkipped: 0, accepted: 0, rejected: 0, failed: 0,
    inFlight: 0, requests: 0, promptTokens: 0, completionTokens: 0, readingDone: false, elapsedMs: 0,
  };
  let stopping = false;
  let fatalError: AuthError | undefined;
  let crashError: unknown;
  // Stopping closes the pool: queued requests are dropped (their tasks stay pending), requests in flight finish.
  let poolClosed: Promise<void> | undefined;
  const stop = (): void => {
    stopping = true;
    poolClosed ??= pool.close();
  };
  hooks.stopSignal?.addEventListener('abort', stop, { once: true });
  // A stop asked for while the inputs were checked or the endpoints preflighted has already fired its event.
  if (hooks.stopSignal?.aborted) stop();
  const abortInFlight = new AbortController();

  // Enough tasks in flight to keep the pool's queue full, few enough to keep memory constant.
  const maxActive = Math.max(4, 2 * config.endpoints.reduce((n, e) => n + e.maxInFlight, 0));
  const active = new Set<Promise<void>>();

  /** Rethrows `err`; when it says the budget ran out (a rephrase's or the judge model's hold), stops the run first. */
  const stopIfOutOfBudget = (err: unknown): never => {
    if (err instanceof BudgetExhaustedError) {
      budgetStop ??= err;
      stop();
    }
    throw err;
  };

  const deps = {
    generate: async (req: GenerateRequest, promptTokens: number) => {
      const hold = await budget.hold(promptTokens, req.maxTokens * req.n).catch(stopIfOutOfBudget);
      progress.requests++;
      try {
        const r = await pool.generate({ ...req, contentTokens: promptTokens }, abortInFlight.signal);
        progress.promptTokens += r.usage?.promptTokens ?? 0;
        progress.completionTokens += r.usage?.completionTokens ?? 0;
        const cost = budget.settle(hold, r.endpoint, r.usage);
        return { ...r, costUsd: prices.has(r.endpoint) ? cost : undefined };
      } catch (err) {
        budget.release(hold);
        throw err;
      }
    },
    record: (a: Omit<AttemptRecord, 'runId'>) => writer.addAttempt({ ...a, runId }),
    stopping: () => stopping,
    redact,
  };

  /** The judge model for one task: its requests are recorded against that task. */
  const judgeServices = (key: string): JudgeServices | undefined => {
    if (!judgePool || !config.judge) return undefined;
    let judged = 0;
    return {
      judgeModel: createPooledJudgeModel({
        pool: judgePool,
        model: config.judge.endpoint.model,
        budget,
        signal: abortInFlight.signal,
        record: (a) => writer.addAttempt({ ...a, taskKey: key, runId, attemptNo: ++judged }),
        redact,
      }),
    };
  };

  const tally = (r: SamplingResult): void => {
    if (r === 'accepted') progress.accepted++;
    else if (r === 'rejected') progress.rejected++;
    else if (r === 'failed') progress.failed++;
  };

  const launch = (docSha256: string, chunk: Chunk, p: PlannedStyle, key: string, prior: number): void => {
    inProgress.add(key);
    const job = sampleTask(
      {
        key, style: p.style, source: chunk.text, sourceOffset: chunk.start, messages: renderMessages(p.style, chunk.text),
        promptTokens: chunk.tokens + (templateTokens.get(p.style.id) ?? 0), priorAttempts: prior,
      },
      p.policy,
      {
        ...deps,
        judge: (source, candidate, style) => judgeStage.judge(style, source, candidate, judgeServices(key)).catch(stopIfOutOfBudget),
        record: (a: Omit<AttemptRecord, 'runId'>) => {
          deps.record(a);
          // Later candidates of this style are compared with what it has accepted so far (template collapse).
          if (a.outcome.status === 'accepted' && p.tracksNearDuplicates) {
            defaultNearDuplicateIndex.add(p.style.id, key, a.candidates[a.outcome.candidateIndex]!.cleaned);
          }
        },
      },
    )
      .then((r) => {
        tally(r);
        if (r === 'stopped') inProgress.delete(key);
        if (r === 'context_too_long' && !stopping) splitChunk(docSha256, chunk, p);
      })
      .catch((err: unknown) => {
        inProgress.delete(key);
        if (err instanceof AuthError) {
          fatalError ??= err;
          stop();
          return;
        }
        // Anything else is a bug: stop taking work and end the run with it, rather than drop the task unseen.
        crashError ??= err;
        stop();
      })
      .finally(() => active.delete(job));
    active.add(job);
  };

  /** Starts the task of one chunk in one style, unless the ledger finished it or it is running already. */
  const schedule = (docSha256: string, chunk: Chunk, p: PlannedStyle): void => {
    const key = taskKey({ chunkSha256: chunk.sha256, promptSha256: p.style.sha256, model: p.policy.model, params: p.params });
    progress.tasksSeen++;
    const known = lookupTask.get(key) as { status: string; attempts: number } | undefined;
    if (known?.status === 'accepted' || known?.status === 'rejected' || inProgress.has(key)) {
      progress.tasksSkipped++;
      return;
    }
    writer.addTask({ taskKey: key, docSha256, chunkStart: chunk.start, chunkEnd: chunk.end, style: p.style, model: p.policy.model, params: p.params });
    launch(docSha256, chunk, p, key, known?.attempts ?? 0);
  };

  /**
   * A chunk too long for the model's context is cut in two, at paragraph and sentence boundaries as usual,
   * and each half becomes a task of its own. The long one stays failed, so a re-run finds and splits it again
   * (its halves, once done, are skipped).
   */
  const splitChunk = (docSha256: string, chunk: Chunk, p: PlannedStyle): void => {
    const maxTokens = Math.max(16, Math.floor(chunk.tokens / 2));
    if (chunk.tokens <= 16) return;
    for (const part of chunkDocument({ id: chunk.docId, text: chunk.text }, { maxTokens })) {
      const sub: Chunk = { ...part, index: chunk.index, start: chunk.start + part.start, end: chunk.start + part.end };
      writer.addChunk(docSha256, sub);
      schedule(docSha256, sub, p);
    }
  };

  const timer = hooks.onProgress
    ? setInterval(() => {
        progress.inFlight = pool.inFlight;
        progress.elapsedMs = Date.now() - started;
        hooks.onProgress?.({ ...progress });
      }, hooks.progressIntervalMs ?? 1000)
    : undefined;

  let status: RunStatus = 'finished';
  try {
    reading: for await (const item of readSources(config.inputs, { textField: config.textField, idField: config.idField, stdinFormat: config.stdinFormat, position: progress })) {
      if (stopping) break;
      if (item.kind === 'error') {
        progress.inputErrors++;
        writer.addInputError(runId, item.error);
        hooks.onInputError?.(item.error);
        continue;
      }
      const doc = item.doc;
      progress.documents++;
      writer.addSource(doc, runId);
      for (const chunk of timed(chunkDocument(doc, { maxTokens: config.chunkTokens }), (ms) => (timings.chunkMs += ms))) {
        writer.addChunk(doc.sha256, chunk);
        for (const p of planned) {
          while (active.size >= maxActive) await Promise.race(active);
          if (stopping) break reading;
          schedule(doc.sha256, chunk, p);
        }
      }
    }
    progress.readingDone = !stopping;
    if (stopping) {
      // Graceful stop: requests in flight get a bounded time to finish and be recorded, then are aborted.
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.stopGraceMs).unref());
      await Promise.race([poolClosed, grace]);
      abortInFlight.abort();
    }
    while (active.size > 0) await Promise.allSettled([...active]);
    await pool.close();
    await judgePool?.close();
    if (crashError !== undefined) throw crashError;
    if (fatalError) status = 'stopped_fatal';
    else if (budgetStop) status = 'stopped_budget';
    else if (stopping) status = 'interrupted';
  } catch (err) {
    status = 'crashed';
    abortInFlight.abort();
    throw err;
  } finally {
    if (timer) clearInterval(timer);
    hooks.stopSignal?.removeEventListener('abort', stop);
    writer.flush();
    finishRun(db, runId, status);
    db.close();
    await Promise.allSettled([judgeStage.close(), ...[...providers, ...(judgeProvider ? [judgeProvider] : [])].map((p) => p.dispose?.())]);
  }
  progress.inFlight = 0;
  progress.elapsedMs = Date.now() - started;
  hooks.onProgress?.({ ...progress });
  return {
    ...progress,
    runId,
    status,
    spentTokens: budget.spent.tokens,
    spentCostUsd: budget.spent.cost,
    timings: { ...timings, ...judgeStage.timings, ledgerMs: writer.commitMs },
    ...(fatalError ? { fatalError: redact(fatalError.message) } : {}),
    ...(budgetStop ? { budgetStop: budgetStop.message } : {}),
  };
}

/** The items of `items`, adding the time each one took to produce to `add`. */
function* timed<T>(items: Iterator<T>, add: (ms: number) => void): Generator<T> {
  for (;;) {
    const t0 = performance.now();
    const step = items.next();
    add(performance.now() - t0);
    if (step.done) return;
    yield step.value;
  }
}

function endpointPrices(config: RunConfig): Map<string, { input: number; output: number }> {
  const prices = new Map<string, { input: number; output: number }>();
  for (const e of config.endpoints) {
    if (e.pricePerMillionInput !== undefined || e.pricePerMillionOutput !== undefined) {
      prices.set(e.name, { input: e.pricePerMillionInput ?? 0, output: e.pricePerMillionOutput ?? 0 });
    }
  }
  return prices;
}

/** Weighted routing across the configured endpoints, each held to its own limits. */
function createPool(providers: Provider[], config: RunConfig): MultiEndpointPool {
  return new MultiEndpointPool(
    providers.map((provider, i) => {
      const e = config.endpoints[i] ?? config.endpoints[0]!;
      return {
        provider,
        weight: e.weight,
        maxInFlight: e.maxInFlight,
        rpm: e.rpm,
        tpm: e.tpm,
        pricePerMillionInput: e.pricePerMillionInput,
        pricePerMillionOutput: e.pricePerMillionOutput,
      };
    }),
    { maxRetries: config.maxRetries },
  );
}
