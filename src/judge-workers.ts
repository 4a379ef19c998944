// Judging in worker threads. The evaluators cost milliseconds of CPU per candidate; on the engine's thread they
// would cap a run at a few hundred candidates a second however many cores and servers it has, and their garbage
// would pause the requests in flight. Workers judge in parallel, and the engine's thread only sends and writes.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Judgement } from './judge.js';
import type { JudgeWorkerRequest, JudgeWorkerResponse } from './judge-worker.js';
import { packageRoot } from './package-root.js';
import type { GeneratedCandidate, Style } from './types.js';

interface Pending {
  resolve: (judgement: Judgement) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** An evaluator threw inside a judge worker: its name, message and stack, as thrown. */
export class JudgeWorkerError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

/**
 * The compiled worker script. Beside this module when it runs compiled; from the TypeScript sources (tests) the
 * package's build is used, since a worker cannot load .ts files.
 */
function workerScript(): string {
  const sibling = fileURLToPath(new URL('./judge-worker.js', import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = join(packageRoot(), 'dist', 'src', 'judge-worker.js');
  if (existsSync(built)) return built;
  throw new Error(`reword: the judge worker script is missing (looked for ${sibling} and ${built}); run \`npm run build\``);
}

export class JudgeWorkers {
  readonly #styles: Style[];
  readonly #threads: Thread[] = [];
  #nextId = 0;
  #busyMs = 0;
  #closed = false;

  /** Starts `threads` workers that judge candidates of `styles` with their pure evaluators. */
  constructor(styles: readonly Style[], threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`judge threads must be a positive integer, got ${threads}`);
    this.#styles = [...styles];
    for (let i = 0; i < threads; i++) this.#threads.push(this.#start());
  }

  /** Milliseconds the workers spent judging, summed over them: CPU the engine's thread did not spend. */
  get busyMs(): number {
    return this.#busyMs;
  }

  /** Judges one candidate with the pure evaluators of `style` in the least busy worker. */
  judge(style: Style, source: string, candidate: GeneratedCandidate): Promise<Judgement> {
    if (this.#closed) return Promise.reject(new Error('judge workers are closed'));
    let thread = this.#threads[0]!;
    for (const t of this.#threads) if (t.pending.size < thread.pending.size) thread = t;
    const id = this.#nextId++;
    const message: JudgeWorkerRequest = { type: 'judge', id, styleId: style.id, source, text: candidate.text, finishReason: candidate.finishReason };
    return new Promise<Judgement>((resolve, reject) => {
      // A worker with work pending keeps the process alive; an idle one does not hold it open.
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const threads = this.#threads.splice(0);
    for (const thread of threads) this.#failAll(thread, new Error('judge workers were closed with candidates still being judged'));
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #start(): Thread {
    // A small young generation: the judge's garbage is short-lived, and the default let each worker add ~40 MB.
    const worker = new Worker(workerScript(), { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    const thread: Thread = { worker, pending: new Map() };
    worker.unref();
    worker.postMessage({ type: 'styles', styles: this.#styles } satisfies JudgeWorkerRequest);
    worker.on('message', (response: JudgeWorkerResponse) => {
      const pending = thread.pending.get(response.id);
      if (pending === undefined) return;
      thread.pending.delete(response.id);
      if (thread.pending.size === 0) worker.unref();
      if ('error' in response) {
        pending.reject(new JudgeWorkerError(response.error.name, response.error.message, response.error.stack));
        return;
      }
      this.#busyMs += response.ms;
      pending.resolve(response.judgement);
    });
    // A worker that dies (out of memory, a crash in native code) fails what it held and is replaced.
    const replace = (error: Error): void => {
      const index = this.#threads.indexOf(thread);
      if (index < 0) return;
      this.#failAll(thread, error);
      if (!this.#closed) this.#threads[index] = this.#start();
    };
    worker.on('error', (err) => replace(new Error(`a judge worker failed: ${err.message}`)));
    worker.on('exit', (code) => replace(new Error(`a judge worker exited (code ${code})`)));
    return thread;
  }

  #failAll(thread: Thread, error: Error): void {
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
  }
}
