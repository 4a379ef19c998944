import cliProgress from 'cli-progress';
import type { RunProgress } from '../engine.js';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

function rate(n: number, ms: number): string {
  return ms > 0 ? ((n * 1000) / ms).toFixed(1) : '0.0';
}

function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

function fields(p: RunProgress) {
  const done = p.accepted + p.rejected + p.failed;
  const toDo = p.tasksSeen - p.tasksSkipped;
  const remaining = toDo - done;
  const perMs = p.elapsedMs > 0 ? done / p.elapsedMs : 0;
  const eta = p.readingDone && perMs > 0 ? `${Math.round(remaining / perMs / 1000)}s` : '?';
  return {
    done,
    total: `${toDo}${p.readingDone ? '' : '+'}`,
    acceptedPct: done > 0 ? ((100 * p.accepted) / done).toFixed(1) : '0.0',
    rps: rate(p.requests, p.elapsedMs),
    tokens: tokens(p.promptTokens + p.completionTokens),
    eta,
  };
}

export function formatProgressLine(p: RunProgress): string {
  const f = fields(p);
  return (
    `tasks ${f.done}/${f.total} · accepted ${f.acceptedPct}% · rejected ${p.rejected} · failed ${p.failed}` +
    ` · ${f.rps} req/s · ${f.tokens} tokens · in flight ${p.inFlight} · ETA ${f.eta}`
  );
}

/**
 * Live progress on a terminal (one redrawn line), plain periodic lines otherwise (logs, CI),
 * always on stderr so stdout stays clean for data.
 */
export function createProgressReporter(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr) {
  const useBar = mode === 'bar' || (mode === 'auto' && stream.isTTY === true);
  if (mode === 'none') return { update: (_p: RunProgress) => {}, stop: () => {}, intervalMs: 1000 };
  if (!useBar) {
    return {
      update: (p: RunProgress) => stream.write(`[reword] ${formatProgressLine(p)}\n`),
      stop: () => {},
      intervalMs: 10_000,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'tasks {bar} {value}/{totalLabel} · accepted {acceptedPct}% · {rps} req/s · {tokens} tokens · ETA {etaLabel}',
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (p: RunProgress) => {
      const f = fields(p);
      const payload = { totalLabel: f.total, acceptedPct: f.acceptedPct, rps: f.rps, tokens: f.tokens, etaLabel: f.eta };
      const total = Math.max(1, p.tasksSeen - p.tasksSkipped);
      if (!started) {
        bar.start(total, f.done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(f.done, payload);
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
    intervalMs: 500,
  };
}
