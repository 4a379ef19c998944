import type { Db } from './open-ledger.js';

export interface TraceVerdict {
  evaluator: string;
  pass: boolean;
  score: number;
  reason: string;
  details: unknown;
}

export interface TraceCandidate {
  index: number;
  text: string;
  cleaned: string;
  finish_reason: string;
  pass: boolean;
  score: number;
  verdicts: TraceVerdict[];
}

export interface TraceAttempt {
  attempt_no: number;
  purpose: string;
  endpoint: string;
  model: string;
  params: unknown;
  seed: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number | null;
  error: { code: string; message: string | null } | null;
  candidates: TraceCandidate[];
}

export interface TraceAttribution {
  output_start: number;
  output_end: number;
  output_sentence: string;
  source_start: number | null;
  source_end: number | null;
  source_text: string | null;
  support: number;
}

export interface TraceTask {
  id: string;
  status: string;
  reasons: string[];
  style: string;
  kind: string;
  model: string;
  params: unknown;
  prompt: { sha256: string; path: string; body: string };
  sources: Array<{ doc_id: string; path: string; line: number | null; byte_offset: number; sha256: string }>;
  chunk: { index: number; start: number; end: number; tokens: number; sha256: string; text: string };
  attempts: TraceAttempt[];
  output: { text: string; run_id: number; attributions: TraceAttribution[] } | null;
}

/** Task ids matching an output id (task key or a prefix of at least 8 characters) or a document id. */
function findTaskIds(db: Db, id: string): number[] {
  const exact = db.prepare(`SELECT id FROM tasks WHERE task_key = ?`).get(id) as { id: number } | undefined;
  if (exact) return [exact.id];
  if (/^[0-9a-f]{8,63}$/.test(id)) {
    const byKey = db.prepare(`SELECT id FROM tasks WHERE task_key >= ? AND task_key < ? ORDER BY id`).all(id, id + 'g') as Array<{ id: number }>;
    if (byKey.length > 0) return byKey.map((r) => r.id);
  }
  const byDoc = db
    .prepare(
      `SELECT t.id FROM sources s JOIN chunks c ON c.doc_sha256 = s.sha256 JOIN tasks t ON t.chunk_id = c.id
       WHERE s.doc_id = ? GROUP BY t.id ORDER BY c.start, t.style_id`,
    )
    .all(id) as Array<{ id: number }>;
  return byDoc.map((r) => r.id);
}

export function traceTasks(db: Db, id: string): TraceTask[] {
  return findTaskIds(db, id).map((taskId) => traceTask(db, taskId));
}

interface TaskRow {
  task_key: string; status: string; reasons_json: string | null; style_id: string; kind: string; model: string;
  params_json: string; prompt_sha256: string; prompt_path: string; prompt_body: string; doc_sha256: string;
  idx: number; start: number; end: number; tokens: number; chunk_sha256: string; chunk_text: string;
}
interface AttemptRow {
  id: number; attempt_no: number; purpose: string; endpoint: string; model: string; params_json: string;
  seed: number | null; prompt_tokens: number | null; completion_tokens: number | null; latency_ms: number | null;
  error_code: string | null; error_message: string | null;
}
interface CandidateRow { id: number; idx: number; text: string; cleaned: string; finish_reason: string; pass: number; score: number }
interface VerdictRow { evaluator: string; pass: number; score: number; reason: string; details_json: string | null }

function parseJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

function traceTask(db: Db, taskId: number): TraceTask {
  const t = db
    .prepare(
      `SELECT t.*, c.idx, c.start, c.end, c.tokens, c.sha256 AS chunk_sha256, c.text AS chunk_text, c.doc_sha256,
              p.path AS prompt_path, p.body AS prompt_body
       FROM tasks t JOIN chunks c ON c.id = t.chunk_id JOIN prompts p ON p.sha256 = t.prompt_sha256 WHERE t.id = ?`,
    )
    .get(taskId) as TaskRow;
  const sources = db
    .prepare(`SELECT doc_id, path, line, byte_offset, sha256 FROM sources WHERE sha256 = ? ORDER BY id`)
    .all(t.doc_sha256) as TraceTask['sources'];
  const attempts = (
    db.prepare(`SELECT * FROM attempts WHERE task_id = ? ORDER BY id`).all(taskId) as AttemptRow[]
  ).map((a): TraceAttempt => {
    const candidates = (
      db.prepare(`SELECT * FROM candidates WHERE attempt_id = ? ORDER BY idx`).all(a.id) as CandidateRow[]
    ).map(
      (c): TraceCandidate => ({
        index: c.idx,
        text: c.text,
        cleaned: c.cleaned,
        finish_reason: c.finish_reason,
        pass: c.pass === 1,
        score: c.score,
        verdicts: (
          db.prepare(`SELECT * FROM verdicts WHERE candidate_id = ? ORDER BY id`).all(c.id) as VerdictRow[]
        ).map((v) => ({
          evaluator: v.evaluator,
          pass: v.pass === 1,
          score: v.score,
          reason: v.reason,
          details: parseJson(v.details_json),
        })),
      }),
    );
    return {
      attempt_no: a.attempt_no,
      purpose: a.purpose,
      endpoint: a.endpoint,
      model: a.model,
      params: parseJson(a.params_json),
      seed: a.seed,
      prompt_tokens: a.prompt_tokens,
      completion_tokens: a.completion_tokens,
      latency_ms: a.latency_ms,
      error: a.error_code ? { code: a.error_code, message: a.error_message } : null,
      candidates,
    };
  });
  const out = db.prepare(`SELECT id, text, run_id FROM outputs WHERE task_id = ?`).get(taskId) as
    | { id: number; text: string; run_id: number }
    | undefined;
  let output: TraceTask['output'] = null;
  if (out) {
    const rows = db
      .prepare(`SELECT * FROM attributions WHERE output_id = ? ORDER BY output_start`)
      .all(out.id) as Array<{ output_start: number; output_end: number; source_start: number | null; source_end: number | null; support: number }>;
    const chunkStart = t.start;
    const chunkText = t.chunk_text;
    output = {
      text: out.text,
      run_id: out.run_id,
      attributions: rows.map((r) => ({
        output_start: r.output_start,
        output_end: r.output_end,
        output_sentence: out.text.slice(r.output_start, r.output_end),
        source_start: r.source_start,
        source_end: r.source_end,
        source_text:
          r.source_start === null || r.source_end === null
            ? null
            : chunkText.slice(r.source_start - chunkStart, r.source_end - chunkStart),
        support: r.support,
      })),
    };
  }
  return {
    id: t.task_key,
    status: t.status,
    reasons: (parseJson(t.reasons_json) as string[] | null) ?? [],
    style: t.style_id,
    kind: t.kind,
    model: t.model,
    params: parseJson(t.params_json),
    prompt: { sha256: t.prompt_sha256, path: t.prompt_path, body: t.prompt_body },
    sources,
    chunk: { index: t.idx, start: t.start, end: t.end, tokens: t.tokens, sha256: t.chunk_sha256, text: t.chunk_text },
    attempts,
    output,
  };
}
