import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatDuration, formatProgressLine } from '../src/cli/progress.js';
import type { RunProgress } from '../src/engine.js';

/** A run 100 s in: 1000 tasks read, 500 of them done (1 task per 200 ms); reading goes on. */
function midRun(over: Partial<RunProgress> = {}): RunProgress {
  return {
    documents: 1000, inputErrors: 0, tasksSeen: 1000, tasksSkipped: 0, accepted: 400, rejected: 90, failed: 10,
    inFlight: 8, requests: 600, promptTokens: 90_000, completionTokens: 60_000, readingDone: false, elapsedMs: 100_000,
    ...over,
  };
}

/** "done/total" and the ETA as the line shows them. */
function shown(p: RunProgress): { tasks: string; eta: string } {
  const line = formatProgressLine(p);
  const tasks = /^tasks (\S+)/.exec(line)?.[1];
  const eta = / · ETA (\S+)$/.exec(line)?.[1];
  if (tasks === undefined || eta === undefined) throw new Error(`unexpected progress line: ${line}`);
  return { tasks, eta };
}

describe('progress line: estimate from the input bytes read', () => {
  it('a quarter of the bytes read: the total is estimated at about four times the tasks read, with a finite ETA', () => {
    const p = midRun({ inputBytesRead: 25_000_000, inputBytesTotal: 100_000_000 });
    // 4000 tasks in all, 3500 to go at 5 a second: 700 s.
    expect(shown(p)).toEqual({ tasks: '500/~4.0k', eta: '~11m40s' });
    expect(formatProgressLine(p)).toBe(
      'tasks 500/~4.0k · accepted 80.0% · rejected 90 · failed 10 · 6.0 req/s · 150.0k tokens · in flight 8 · ETA ~11m40s',
    );
  });

  it('scales to long runs: hours, then days', () => {
    const p = midRun({ tasksSeen: 1200, accepted: 120, rejected: 0, failed: 0, elapsedMs: 60_000, inputBytesRead: 1_000_000, inputBytesTotal: 10_000_000_000 });
    // 12M tasks at 2 a second.
    expect(shown(p)).toEqual({ tasks: '120/~12.00M', eta: '~69d11h' });
    const q = midRun({ tasksSeen: 1040, inputBytesRead: 1_000, inputBytesTotal: 10_000 });
    expect(shown(q)).toEqual({ tasks: '500/~10.4k', eta: '~33m00s' });
  });

  it('stdin (or a pipe) has no size: no estimate, as before', () => {
    expect(shown(midRun({ inputBytesRead: 0 }))).toEqual({ tasks: '500/1000+', eta: '?' });
    expect(shown(midRun())).toEqual({ tasks: '500/1000+', eta: '?' });
  });

  it('nothing read yet, or nothing done yet: no figure is made up', () => {
    expect(shown(midRun({ inputBytesRead: 0, inputBytesTotal: 1_000 }))).toEqual({ tasks: '500/1000+', eta: '?' });
    expect(shown(midRun({ accepted: 0, rejected: 0, failed: 0, inputBytesRead: 250, inputBytesTotal: 1_000 }))).toEqual({
      tasks: '0/~4.0k',
      eta: '?',
    });
  });

  it('once reading is done, the figures are exact (no "~"), whatever the bytes say', () => {
    const p = midRun({ readingDone: true, inputBytesRead: 100_000_000, inputBytesTotal: 100_000_000 });
    expect(shown(p)).toEqual({ tasks: '500/1000', eta: '1m40s' });
    expect(shown({ ...p, accepted: 1000, rejected: 0, failed: 0 })).toEqual({ tasks: '1000/1000', eta: '0s' });
  });

  it('tasks skipped on resume count neither as work done nor as work to do', () => {
    // Resumed: the last run did the first 2000 tasks, skipped at once this time. Half the bytes read, 2100
    // tasks seen, 100 done in 100 s: 4200 tasks in all, 2200 of them to do, 2100 to go at 1 a second.
    const p = midRun({ tasksSeen: 2100, tasksSkipped: 2000, accepted: 100, rejected: 0, failed: 0, inputBytesRead: 50, inputBytesTotal: 100 });
    expect(shown(p)).toEqual({ tasks: '100/~2.2k', eta: '~35m00s' });
  });

  it('never estimates fewer tasks than are already known', () => {
    expect(shown(midRun({ inputBytesRead: 120, inputBytesTotal: 100 }))).toEqual({ tasks: '500/~1.0k', eta: '~1m40s' });
  });
});

describe('formatDuration', () => {
  it('reads at a glance', () => {
    expect([0, 45_400, 725_000, 3_600_000, 11_520_000, 2 * 86_400_000 + 3 * 3_600_000].map(formatDuration)).toEqual([
      '0s', '45s', '12m05s', '1h00m', '3h12m', '2d03h',
    ]);
  });
});

describe('plain progress (logs, CI)', () => {
  it('prints the same estimate as the live line', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const reporter = createProgressReporter('plain', stream);
    reporter.update(midRun({ inputBytesRead: 25, inputBytesTotal: 100 }));
    reporter.update(midRun({ readingDone: true }));
    expect(written).toHaveLength(2);
    expect(written[0]).toMatch(/^\[reword\] tasks 500\/~4\.0k · .* · ETA ~11m40s\n$/);
    expect(written[1]).toMatch(/^\[reword\] tasks 500\/1000 · .* · ETA 1m40s\n$/);
  });
});

describe('live progress (TTY)', () => {
  it('shows the estimated total and ETA on the bar', () => {
    const written: string[] = [];
    const stream = {
      isTTY: true,
      columns: 200,
      write: (s: string) => written.push(s),
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      on: () => stream,
      removeListener: () => stream,
    } as unknown as NodeJS.WriteStream;
    const reporter = createProgressReporter('bar', stream);
    reporter.update(midRun({ inputBytesRead: 25, inputBytesTotal: 100 }));
    reporter.stop();
    const text = written.join('');
    expect(text).toContain('500/~4.0k');
    expect(text).toContain('ETA ~11m40s');
  });
});
