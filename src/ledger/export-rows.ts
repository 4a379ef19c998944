import type { Db } from './open-ledger.js';

export interface ExportRecord {
  id: string;
  text: string;
  metadata: {
    source_id: string;
    source_sha256: string;
    source_path: string;
    source_line: number | null;
    chunk_index: number;
    chunk_start: number;
    chunk_end: number;
    style: string;
    kind: string;
    model: string;
    prompt_sha256: string;
    attempts: number;
    run_id: number;
  };
}

interface Row {
  task_key: string;
  text: string;
  doc_id: string;
  sha256: string;
  path: string;
  line: number | null;
  idx: number;
  start: number;
  end: number;
  style_id: string;
  kind: string;
  model: string;
  prompt_sha256: string;
  attempts: number;
  run_id: number;
}

/**
 * Streams accepted outputs in ledger order. A text that several documents share was requested once;
 * it is exported once, under the first document that carried it.
 */
export function* exportRecords(db: Db, opts: { style?: string } = {}): Generator<ExportRecord> {
  const rows = db
    .prepare(
      `SELECT t.task_key, o.text, s.doc_id, s.sha256, s.path, s.line, c.idx, c.start, c.end,
              t.style_id, t.kind, t.model, t.prompt_sha256, t.attempts, o.run_id
       FROM outputs o
       JOIN tasks t ON t.id = o.task_id
       JOIN chunks c ON c.id = t.chunk_id
       JOIN sources s ON s.id = (SELECT min(id) FROM sources WHERE sha256 = c.doc_sha256)
       WHERE (? IS NULL OR t.style_id = ?)
       ORDER BY o.id`,
    )
    .iterate(opts.style ?? null, opts.style ?? null) as IterableIterator<Row>;
  for (const r of rows) {
    yield {
      id: r.task_key,
      text: r.text,
      metadata: {
        source_id: r.doc_id,
        source_sha256: r.sha256,
        source_path: r.path,
        source_line: r.line,
        chunk_index: r.idx,
        chunk_start: r.start,
        chunk_end: r.end,
        style: r.style_id,
        kind: r.kind,
        model: r.model,
        prompt_sha256: r.prompt_sha256,
        attempts: r.attempts,
        run_id: r.run_id,
      },
    };
  }
}
