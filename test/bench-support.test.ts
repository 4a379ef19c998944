// The bench's side-by-side figures rest on two things these tests hold: the evaluator-less style sends exactly the
// requests the real style sends (else "reword without evaluators / minimal client" compares different work), and
// a row is marked met or not met against its target the right way round.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStyles, renderMessages } from '../src/prompts.js';
import { median, rotation, row, STYLE, writeUnjudgedStyle } from '../scripts/bench-support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeUnjudgedStyle', () => {
  it('writes the style with no evaluators and every other field and the prompt unchanged', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'reword-bench-support-')), 'styles');
    dirs.push(dirname(dir));
    expect(writeUnjudgedStyle(dir)).toBe(dir);
    const real = loadStyles().get(STYLE);
    const unjudged = loadStyles({ extraDir: dir }).get(STYLE);
    expect(real?.evaluators.length).toBeGreaterThan(5);
    expect(unjudged?.evaluators).toEqual([]);
    expect(unjudged?.path).toBe(join(dir, `${STYLE}.md`));
    const { evaluators: _a, path: _b, sha256: _c, ...realRest } = real!;
    const { evaluators: _d, path: _e, sha256: _f, ...unjudgedRest } = unjudged!;
    expect(unjudgedRest).toEqual(realRest);
    const source = 'The ferry service between Cork and Bergen opened in 1931 and carried 4,200 passengers a year.';
    expect(renderMessages(unjudged!, source)).toEqual(renderMessages(real!, source));
  });
});

describe('row', () => {
  it('marks a value against an at-least or at-most target, including on the boundary', () => {
    expect(row(2, 'efficiency', 0.95, { atLeast: 0.95 })).toMatchObject({ target: '≥ 0.95', met: true });
    expect(row(2, 'efficiency', 0.949, { atLeast: 0.95 })).toMatchObject({ met: false });
    expect(row(5, 'share', 0.1, { atMost: 0.1 })).toMatchObject({ target: '≤ 0.1', met: true });
    expect(row(5, 'share', 0.11, { atMost: 0.1 })).toMatchObject({ met: false });
  });

  it('reports a figure without a target, or a missing value, as neither met nor not met', () => {
    expect(row(1, 'requests per second', 245)).toEqual({ case: 1, figure: 'requests per second', value: 245, target: null, met: null });
    expect(row(4, 'share', null, { atMost: 0.1 })).toMatchObject({ value: null, met: null });
  });
});

describe('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even one, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([0.9, 0.5, 0.7, 0.1])).toBeCloseTo(0.6);
  });
});

describe('rotation', () => {
  it('puts each side first once in as many repetitions as there are sides, keeping every side each time', () => {
    const sides = ['reword', 'client', 'unjudged'];
    const orders = [0, 1, 2].map((rep) => rotation(sides, rep));
    expect(orders.map((order) => order[0])).toEqual(['reword', 'client', 'unjudged']);
    for (const order of orders) expect([...order].sort()).toEqual([...sides].sort());
    expect(rotation(['big', 'small'], 3)).toEqual(['small', 'big']);
  });
});
