import type { Db } from './open-ledger.js';

export interface VerifyProblem {
  check: string;
  count: number;
  /** A few offending row ids or messages, to start looking from. */
  examples: string[];
}

interface Check {
  name: string;
  /** Rows returned are problems; the first column is shown as an example. */
  sql: string;
}

// Each query returns the rows that break one invariant of DESIGN.md's ledger.
const checks: Check[] = [
  { name: 'task has more than one accepted output', sql: `SELECT task_id FROM outputs GROUP BY task_id HAVING count(*) > 1` },
  {
    name: 'accepted task without an output',
    sql: `SELECT t.task_key FROM tasks t LEFT JOIN outputs o ON o.task_id = t.id WHERE t.status = 'accepted' AND o.id IS NULL`,
  },
  {
    name: 'output of a task that is not accepted',
    sql: `SELECT t.task_key FROM outputs o JOIN tasks t ON t.id = o.task_id WHERE t.status <> 'accepted'`,
  },
  {
    name: 'output whose candidate did not pass',
    sql: `SELECT o.id FROM outputs o JOIN candidates c ON c.id = o.candidate_id WHERE c.pass <> 1`,
  },
  {
    name: 'output text differs from its accepted candidate',
    sql: `SELECT o.id FROM outputs o JOIN candidates c ON c.id = o.candidate_id WHERE o.text <> c.cleaned`,
  },
  {
    name: 'output whose candidate belongs to another task',
    sql: `SELECT o.id FROM outputs o JOIN candidates c ON c.id = o.candidate_id JOIN attempts a ON a.id = c.attempt_id
          WHERE a.task_id <> o.task_id`,
  },
  {
    name: 'output that does not join back to a source document',
    sql: `SELECT o.id FROM outputs o JOIN tasks t ON t.id = o.task_id JOIN chunks c ON c.id = t.chunk_id
          WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.sha256 = c.doc_sha256)`,
  },
  {
    name: 'output without the verdicts that accepted it',
    sql: `SELECT o.id FROM outputs o WHERE NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.candidate_id = o.candidate_id)
          AND EXISTS (SELECT 1 FROM verdicts)`,
  },
  {
    name: 'candidate marked passing with a failing verdict',
    sql: `SELECT c.id FROM candidates c WHERE c.pass = 1 AND EXISTS (SELECT 1 FROM verdicts v WHERE v.candidate_id = c.id AND v.pass = 0)`,
  },
  {
    name: 'chunk span outside its document',
    sql: `SELECT c.id FROM chunks c WHERE c.start < 0 OR c.end < c.start
          OR c.end > (SELECT max(chars) FROM sources s WHERE s.sha256 = c.doc_sha256)`,
  },
  {
    name: 'rejected or failed task without reasons',
    sql: `SELECT task_key FROM tasks WHERE status IN ('rejected', 'failed') AND (reasons_json IS NULL OR reasons_json = '[]')`,
  },
];

/**
 * Runs one check; a check that cannot run (a damaged page, a table rebuilt without its key) is itself a
 * problem to report, not a reason to stop checking the rest.
 */
function runCheck(problems: VerifyProblem[], check: string, find: () => VerifyProblem | undefined): void {
  try {
    const problem = find();
    if (problem) problems.push(problem);
  } catch (err) {
    problems.push({ check: `${check} (could not run)`, count: 1, examples: [(err as Error).message] });
  }
}

/** Runs SQLite's own checks and the ledger's invariants; an empty list means the ledger is sound. */
export function verifyLedger(db: Db): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  runCheck(problems, 'sqlite integrity_check', () => {
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (integrity.length === 1 && integrity[0] === 'ok') return undefined;
    return { check: 'sqlite integrity_check', count: integrity.length, examples: integrity.slice(0, 5) };
  });
  runCheck(problems, 'foreign keys', () => {
    const fk = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
    if (fk.length === 0) return undefined;
    return { check: 'foreign keys', count: fk.length, examples: fk.slice(0, 5).map((r) => `${r.table} row ${r.rowid} → missing ${r.parent}`) };
  });
  for (const c of checks) {
    runCheck(problems, c.name, () => {
      const rows = db.prepare(c.sql).raw().all() as unknown[][];
      if (rows.length === 0) return undefined;
      return { check: c.name, count: rows.length, examples: rows.slice(0, 5).map((r) => String(r[0])) };
    });
  }
  return problems;
}
