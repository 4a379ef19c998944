import type { Chunk, InputError, SourceDoc, Style, Usage, Verdict } from '../types.js';
import type Database from 'better-sqlite3';
import type { Db } from './open-ledger.js';

export interface TaskRecord {
  taskKey: string;
  docSha256: string;
  chunkStart: number;
  chunkEnd: number;
  style: Style;
  model: string;
  params: Record<string, unknown>;
}

export interface CandidateRecord {
  text: string;
  cleaned: string;
  finishReason: string;
  pass: boolean;
  score: number;
  verdicts: Verdict[];
}

export interface AttributionRecord {
  outputStart: number;
  outputEnd: number;
  /** Offsets in the source document (not the chunk); null when no span supports the sentence. */
  sourceStart: number | null;
  sourceEnd: number | null;
  support: number;
}

export type TaskOutcome =
  | { status: 'pending' }
  | { status: 'accepted'; candidateIndex: number; attributions: AttributionRecord[] }
  | { status: 'rejected'; reasons: string[] }
  | { status: 'failed'; reasons: string[] };

export interface AttemptRecord {
  taskKey: string;
  runId: number;
  attemptNo: number;
  purpose?: 'rephrase' | 'judge';
  endpoint: string;
  model: string;
  params: Record<string, unknown>;
  seed?: number;
  usage: Usage | null;
  /** USD, when the endpoint has prices. */
  costUsd?: number;
  latencyMs?: number;
  error?: { code: string; message: string };
  candidates: CandidateRecord[];
  /** The task's state after this attempt; `attempts` is the number of judged attempts so far. */
  outcome: TaskOutcome;
  attempts: number;
}

export interface LedgerWriterOptions {
  /** Flush when this many operations are queued. */
  maxBatch?: number;
  /** Flush at least this often while operations are queued. */
  flushIntervalMs?: number;
  /** Called after a commit with the keys of the tasks whose attempts became durable in it. */
  onCommit?: (taskKeys: string[]) => void;
}

type Op = () => void;

/**
 * The ledger's one writer: queues rows and commits them in batched transactions.
 * A task's attempt, candidates, verdicts, output and status change are one operation, so a
 * crash at any instant leaves each task either wholly recorded or not at all.
 */
export class LedgerWriter {
  private queue: Op[] = [];
  private committedKeysPending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly onCommit: ((taskKeys: string[]) => void) | undefined;
  private readonly stmt: ReturnType<typeof prepareStatements>;
  private readonly commitBatch: Database.Transaction<(ops: Op[]) => void>;
  /** Milliseconds spent committing so far: the ledger's share of a run's time (`npm run bench`). */
  commitMs = 0;

  constructor(
    private readonly db: Db,
    opts: LedgerWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 2000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 250;
    this.onCommit = opts.onCommit;
    this.stmt = prepareStatements(db);
    this.commitBatch = db.transaction((ops: Op[]) => {
      for (const op of ops) op();
    });
  }

  /** Prompts are few and needed before any task refers to them: written at once. */
  writePrompt(style: Style, body: string): void {
    this.stmt.prompt.run(style.sha256, style.id, style.kind, style.path, body);
  }

  addSource(doc: SourceDoc, runId: number): void {
    const o = doc.origin;
    const meta = Object.keys(doc.meta).length > 0 ? JSON.stringify(doc.meta) : null;
    this.push(() =>
      this.stmt.source.run(doc.id, o.path, o.line ?? null, o.row ?? null, o.byteOffset, doc.sha256, doc.text.length, meta, runId),
    );
  }

  addChunk(docSha256: string, chunk: Chunk): void {
    this.push(() =>
      this.stmt.chunk.run(docSha256, chunk.index, chunk.start, chunk.end, chunk.sha256, chunk.tokens, chunk.text),
    );
  }

  addTask(t: TaskRecord): void {
    const params = JSON.stringify(t.params);
    this.push(() =>
      this.stmt.task.run(
        t.taskKey, t.style.id, t.style.kind, t.style.sha256, t.model, params, new Date().toISOString(),
        t.docSha256, t.chunkStart, t.chunkEnd,
      ),
    );
  }

  addInputError(runId: number, e: InputError): void {
    this.push(() => this.stmt.inputError.run(runId, e.path, e.line ?? null, e.field ?? null, e.code, e.message));
  }

  addAttempt(a: AttemptRecord): void {
    this.push(() => this.writeAttempt(a));
    if (a.outcome.status !== 'pending') this.committedKeysPending.push(a.taskKey);
  }

  private writeAttempt(a: AttemptRecord): void {
    const task = this.stmt.taskId.get(a.taskKey) as { id: number; status: string } | undefined;
    if (!task) throw new Error(`ledger: attempt for unknown task ${a.taskKey}`);
    const now = new Date().toISOString();
    const attemptId = Number(
      this.stmt.attempt.run(
        task.id, a.runId, a.attemptNo, a.purpose ?? 'rephrase', a.endpoint, a.model, JSON.stringify(a.params),
        a.seed ?? null, a.usage?.promptTokens ?? null, a.usage?.completionTokens ?? null, a.latencyMs ?? null,
        a.error?.code ?? null, a.error?.message ?? null, now, a.costUsd ?? null,
      ).lastInsertRowid,
    );
    const candidateIds = a.candidates.map((c, idx) => {
      const id = Number(
        this.stmt.candidate.run(attemptId, idx, c.text, c.cleaned, c.finishReason, c.pass ? 1 : 0, c.score).lastInsertRowid,
      );
      for (const v of c.verdicts) {
        this.stmt.verdict.run(id, v.evaluator, v.pass ? 1 : 0, v.score, v.reason, v.details ? JSON.stringify(v.details) : null);
      }
      return id;
    });
    // A judge model's request is evidence about the task, not a step of it: the task's state is the rephrase's.
    if (a.purpose === 'judge') return;
    if (task.status === 'accepted') return; // never a second output; the attempt is still kept
    const o = a.outcome;
    if (o.status === 'accepted') {
      const candidate = a.candidates[o.candidateIndex];
      const candidateId = candidateIds[o.candidateIndex];
      if (!candidate || candidateId === undefined) throw new Error(`ledger: accepted candidate ${o.candidateIndex} missing`);
      const info = this.stmt.output.run(task.id, candidateId, a.runId, candidate.cleaned, now);
      if (info.changes === 1) {
        const outputId = Number(info.lastInsertRowid);
        for (const at of o.attributions) {
          this.stmt.attribution.run(outputId, at.outputStart, at.outputEnd, at.sourceStart, at.sourceEnd, at.support);
        }
      }
      this.stmt.taskState.run('accepted', a.attempts, null, now, task.id);
    } else {
      const reasons = o.status === 'pending' ? null : JSON.stringify(o.reasons);
      this.stmt.taskState.run(o.status, a.attempts, reasons, now, task.id);
    }
  }

  private push(op: Op): void {
    this.queue.push(op);
    if (this.queue.length >= this.maxBatch) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Commits everything queued in one transaction. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queue.length === 0) return;
    const ops = this.queue;
    const keys = this.committedKeysPending;
    this.queue = [];
    this.committedKeysPending = [];
    const started = performance.now();
    this.commitBatch.immediate(ops);
    this.commitMs += performance.now() - started;
    if (this.onCommit && keys.length > 0) this.onCommit(keys);
  }

  get queued(): number {
    return this.queue.length;
  }
}

function prepareStatements(db: Db) {
  return {
    source: db.prepare(
      `INSERT OR IGNORE INTO sources (doc_id, path, line, row, byte_offset, sha256, chars, meta_json, first_run_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    chunk: db.prepare(
      `INSERT OR IGNORE INTO chunks (doc_sha256, idx, start, end, sha256, tokens, text) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    prompt: db.prepare(`INSERT OR IGNORE INTO prompts (sha256, style_id, kind, path, body) VALUES (?, ?, ?, ?, ?)`),
    task: db.prepare(
      `INSERT OR IGNORE INTO tasks (task_key, chunk_id, style_id, kind, prompt_sha256, model, params_json, updated_at)
       SELECT ?, id, ?, ?, ?, ?, ?, ? FROM chunks WHERE doc_sha256 = ? AND start = ? AND end = ?`,
    ),
    taskId: db.prepare(`SELECT id, status FROM tasks WHERE task_key = ?`),
    attempt: db.prepare(
      `INSERT INTO attempts (task_id, run_id, attempt_no, purpose, endpoint, model, params_json, seed,
         prompt_tokens, completion_tokens, latency_ms, error_code, error_message, created_at, cost_usd)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    candidate: db.prepare(
      `INSERT INTO candidates (attempt_id, idx, text, cleaned, finish_reason, pass, score) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    verdict: db.prepare(
      `INSERT INTO verdicts (candidate_id, evaluator, pass, score, reason, details_json) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    output: db.prepare(
      `INSERT OR IGNORE INTO outputs (task_id, candidate_id, run_id, text, created_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    attribution: db.prepare(
      `INSERT INTO attributions (output_id, output_start, output_end, source_start, source_end, support)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    taskState: db.prepare(
      `UPDATE tasks SET status = ?, attempts = ?, reasons_json = ?, updated_at = ? WHERE id = ? AND status <> 'accepted'`,
    ),
    inputError: db.prepare(
      `INSERT OR IGNORE INTO input_errors (run_id, path, line, field, code, message) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
  };
}
