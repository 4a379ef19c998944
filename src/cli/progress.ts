import cliProgress from 'cli-progress';
import type { RunProgress } from '../engine.js';

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

function rate(n: number, ms: number): string {
  return ms > 0 ? ((n * 1000) / ms).toFixed(1) : '0.0';
}

/** "950", "10.4k", "2.31M". */
function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** "45s", "12m05s", "3h12m", "2d03h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${pad(m % 60)}m`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)}d${pad(h % 24)}h`;
}

/**
 * The share of the input read, from bytes, while reading goes on and the inputs' size is known (not for
 * stdin or a pipe); undefined otherwise.
 */
function readFraction(p: RunProgress): number | undefined {
  if (p.readingDone || p.inputBytesRead === undefined || p.inputBytesTotal === undefined || p.inputBytesTotal <= 0) return undefined;
  const fraction = p.inputBytesRead / p.inputBytesTotal;
  return fraction > 0 ? Math.min(1, fraction) : undefined;
}

/**
 * The tasks this run has to do, all of them: exact once reading is done; before that estimated from the
 * share of the input's bytes read, assuming the tasks not yet read need doing (on resume, the tasks already
 * done lie before where the last run stopped, which reading passes at once since they take no requests);
 * when neither is known, only the tasks seen so far (a lower bound).
 */
function tasksToDo(p: RunProgress): { count: number; known: 'exact' | 'estimated' | 'at least' } {
  const seenToDo = p.tasksSeen - p.tasksSkipped;
  if (p.readingDone) return { count: seenToDo, known: 'exact' };
  const fraction = readFraction(p);
  if (fraction === undefined || p.tasksSeen === 0) return { count: seenToDo, known: 'at least' };
  return { count: Math.max(seenToDo, Math.round(p.tasksSeen / fraction) - p.tasksSkipped), known: 'estimated' };
}

function fields(p: RunProgress) {
  // Skipped tasks (done by an earlier run) are in neither the work done nor the work to do: they take no time.
  const done = p.accepted + p.rejected + p.failed;
  const toDo = tasksToDo(p);
  const perMs = p.elapsedMs > 0 ? done / p.elapsedMs : 0;
  const approx = toDo.known === 'estimated' ? '~' : '';
  const eta = toDo.known !== 'at least' && perMs > 0 ? `${approx}${formatDuration(Math.max(0, toDo.count - done) / perMs)}` : '?';
  return {
    done,
    barTotal: toDo.count,
    total: toDo.known === 'at least' ? `${toDo.count}+` : toDo.known === 'estimated' ? `~${compact(toDo.count)}` : String(toDo.count),
    acceptedPct: done > 0 ? ((100 * p.accepted) / done).toFixed(1) : '0.0',
    rps: rate(p.requests, p.elapsedMs),
    tokens: compact(p.promptTokens + p.completionTokens),
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
      const total = Math.max(1, f.barTotal);
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
