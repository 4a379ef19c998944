import { commonOpenings, type OpeningPhrase } from './openings.js';
import type { Db } from './open-ledger.js';

export interface TaskCounts {
  total: number;
  accepted: number;
  rejected: number;
  failed: number;
  pending: number;
}

export interface LedgerStats {
  runs: number;
  documents: number;
  input_errors: { total: number; by_code: Record<string, number> };
  tasks: TaskCounts;
  /** Failing verdicts over every candidate judged, by reason code; and final reasons of rejected/failed tasks. */
  rejections: { candidates: Record<string, number>; tasks: Record<string, number> };
  by_style: Record<string, TaskCounts>;
  by_model: Record<string, TaskCounts>;
  /** Most common opening phrases of accepted outputs per style (template collapse shows here). */
  openings: Record<string, OpeningPhrase[]>;
  usage: {
    requests: number;
    failed_requests: number;
    prompt_tokens: number;
    completion_tokens: number;
    latency_ms_p50: number | null;
    latency_ms_p95: number | null;
    /** USD from endpoint prices; null when no endpoint had prices. */
    cost_usd: number | null;
  };
}

function emptyCounts(): TaskCounts {
  return { total: 0, accepted: 0, rejected: 0, failed: 0, pending: 0 };
}

function addCount(c: TaskCounts, status: string, n: number): void {
  c.total += n;
  if (status === 'accepted' || status === 'rejected' || status === 'failed' || status === 'pending') c[status] += n;
}

function percentile(db: Db, p: number, count: number): number | null {
  if (count === 0) return null;
  const offset = Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1));
  const row = db
    .prepare(`SELECT latency_ms AS v FROM attempts WHERE latency_ms IS NOT NULL AND error_code IS NULL ORDER BY latency_ms LIMIT 1 OFFSET ?`)
    .get(offset) as { v: number } | undefined;
  return row ? Math.round(row.v) : null;
}

/** Tokens and USD recorded so far: what budgets of a resumed run start from. */
export function ledgerSpend(db: Db): { tokens: number; cost: number } {
  const r = db
    .prepare(`SELECT coalesce(sum(prompt_tokens), 0) + coalesce(sum(completion_tokens), 0) AS tokens, coalesce(sum(cost_usd), 0) AS cost FROM attempts`)
    .get() as { tokens: number; cost: number };
  return r;
}

export function ledgerStats(db: Db): LedgerStats {
  const tasks = emptyCounts();
  const byStyle: Record<string, TaskCounts> = {};
  const byModel: Record<string, TaskCounts> = {};
  const rows = db
    .prepare(`SELECT style_id, model, status, count(*) AS n FROM tasks GROUP BY style_id, model, status`)
    .all() as Array<{ style_id: string; model: string; status: string; n: number }>;
  for (const r of rows) {
    addCount(tasks, r.status, r.n);
    addCount((byStyle[r.style_id] ??= emptyCounts()), r.status, r.n);
    addCount((byModel[r.model] ??= emptyCounts()), r.status, r.n);
  }

  const candidateReasons: Record<string, number> = {};
  for (const r of db
    .prepare(`SELECT reason, count(*) AS n FROM verdicts WHERE pass = 0 GROUP BY reason ORDER BY n DESC, reason`)
    .all() as Array<{ reason: string; n: number }>) {
    candidateReasons[r.reason] = r.n;
  }
  const taskReasons: Record<string, number> = {};
  for (const r of db
    .prepare(
      `SELECT j.value AS reason, count(*) AS n FROM tasks, json_each(tasks.reasons_json) AS j
       WHERE tasks.status IN ('rejected', 'failed') GROUP BY j.value ORDER BY n DESC, j.value`,
    )
    .all() as Array<{ reason: string; n: number }>) {
    taskReasons[r.reason] = r.n;
  }

  const inputByCode: Record<string, number> = {};
  let inputTotal = 0;
  for (const r of db.prepare(`SELECT code, count(*) AS n FROM input_errors GROUP BY code ORDER BY n DESC`).all() as Array<{
    code: string;
    n: number;
  }>) {
    inputByCode[r.code] = r.n;
    inputTotal += r.n;
  }

  const usage = db
    .prepare(
      `SELECT count(*) AS requests, sum(error_code IS NOT NULL) AS failed,
              coalesce(sum(prompt_tokens), 0) AS pt, coalesce(sum(completion_tokens), 0) AS ct,
              sum(latency_ms IS NOT NULL AND error_code IS NULL) AS timed, sum(cost_usd) AS cost
       FROM attempts`,
    )
    .get() as { requests: number; failed: number | null; pt: number; ct: number; timed: number | null; cost: number | null };
  const timed = usage.timed ?? 0;

  return {
    runs: (db.prepare(`SELECT count(*) AS n FROM runs`).get() as { n: number }).n,
    documents: (db.prepare(`SELECT count(*) AS n FROM sources`).get() as { n: number }).n,
    input_errors: { total: inputTotal, by_code: inputByCode },
    tasks,
    rejections: { candidates: candidateReasons, tasks: taskReasons },
    by_style: byStyle,
    by_model: byModel,
    openings: commonOpenings(db),
    usage: {
      requests: usage.requests,
      failed_requests: usage.failed ?? 0,
      prompt_tokens: usage.pt,
      completion_tokens: usage.ct,
      latency_ms_p50: percentile(db, 0.5, timed),
      latency_ms_p95: percentile(db, 0.95, timed),
      cost_usd: usage.cost,
    },
  };
}
