import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';

const sample = new URL('../../data/sample.jsonl', import.meta.url).pathname;
const sampleDocs = readFileSync(sample, 'utf8').trim().split('\n').length;

describe('reword plan, budgets and --config', () => {
  let dir: string;
  let server: FakeServer;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reword-plan-'));
    server = await startFakeServer({ models: ['fake-model', 'other-model'] });
    config = join(dir, 'reword.yaml');
    writeFileSync(
      config,
      [
        'endpoints:',
        '  - name: priced',
        '    provider: openai',
        `    base_url: ${server.url}`,
        '    model: fake-model',
        '    rpm: 60',
        '    price_per_million_input: 1000',
        '    price_per_million_output: 2000',
        'run:',
        '  max_attempts: 1',
      ].join('\n') + '\n',
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans documents, tasks, tokens, cost and time without sending a request', async () => {
    const r = await runCli(['plan', '--input', sample, '--style', 'wiki,qa', '--config', config, '--ledger', join(dir, 'none.sqlite'), '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({ documents: sampleDocs, chunks: sampleDocs, tasks: 2 * sampleDocs, tasksDone: 0 });
    expect(plan.inputTokens).toBeGreaterThan(sampleDocs * 100);
    expect(plan.endpoints[0]).toMatchObject({ name: 'priced', requests: 2 * sampleDocs, requestsPerMinute: 60 });
    // 60 requests per minute: 16 requests take 16 seconds.
    expect(plan.minutes).toBeCloseTo((2 * sampleDocs) / 60, 5);
    expect(plan.cost).toBeCloseTo((plan.inputTokens * 1000 + plan.outputTokens * 2000) / 1e6, 6);
    expect(server.requestCount).toBe(0);
  });

  it('stops cleanly at --max-cost, shows the spend, and the same command with a larger budget finishes the rest', async () => {
    const ledger = join(dir, 'budget.sqlite');
    const args = (cost: string) => ['run', '--input', sample, '--style', 'wiki', '--config', config, '--ledger', ledger, '--max-cost', cost, '--progress', 'none'];
    // Each request holds its prompt plus max_tokens at these prices (about $6): a $12 budget fits one at a time, not all.
    const first = await runCli([...args('12'), '--concurrency', '1']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('--max-cost 12');
    const db = new Database(ledger, { readonly: true });
    const run = db.prepare('SELECT status FROM runs').get() as { status: string };
    const accepted = (db.prepare(`SELECT count(*) AS n FROM tasks WHERE status = 'accepted'`).get() as { n: number }).n;
    db.close();
    expect(run.status).toBe('stopped_budget');
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(sampleDocs);
    const stats = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
    expect(stats.usage.cost_usd).toBeGreaterThan(0);
    expect(stats.usage.cost_usd).toBeLessThanOrEqual(12);

    const second = await runCli(args('1000'));
    expect(second.code).toBe(0);
    const after = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
    expect(after.tasks).toMatchObject({ total: sampleDocs, accepted: sampleDocs });
  });

  it('names the file, field and line of a bad config, and refuses a key in it', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'endpoints:\n  - provider: openai\n    base_url: http://127.0.0.1:1/v1\n    model: m\n    rpm: -5\n    api_key: sk-live-should-not-be-here\n');
    const r = await runCli(['run', '--input', sample, '--config', bad, '--ledger', join(dir, 'x.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/endpoints\[0\]\.rpm \(line 5\)/);
    expect(r.stderr).toContain('api_key_env');
    expect(r.stderr).not.toContain('sk-live-should-not-be-here');
  });

  it('lets flags override the single endpoint of a file', async () => {
    const ledger = join(dir, 'override.sqlite');
    const r = await runCli(['run', '--input', sample, '--style', 'wiki', '--config', config, '--model', 'other-model', '--rpm', '6000', '--ledger', ledger, '--progress', 'none']);
    expect(r.code).toBe(0);
    const db = new Database(ledger, { readonly: true });
    expect(db.prepare('SELECT DISTINCT model FROM tasks').all()).toEqual([{ model: 'other-model' }]);
    db.close();
  });
});
