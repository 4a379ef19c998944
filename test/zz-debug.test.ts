import { test, vi } from 'vitest';
const stats = vi.hoisted(() => ({ calls: [] as number[] }));
vi.mock('../src/tokens.js', async (orig) => { const m = await orig<typeof import('../src/tokens.js')>(); return { countTokens: (t: string) => { stats.calls.push(t.length); return m.countTokens(t); } }; });
import { chunkDocument } from '../src/chunk.js';
test('debug', () => {
  for (const n of [60000, 100000]) {
    stats.calls = [];
    const t = Date.now();
    const text = `Start. ${'a'.repeat(n)} end.`;
    const chunks = [...chunkDocument({ id: 'x', text }, { maxTokens: 400 })];
    console.log(n, chunks.length, Date.now() - t, 'ms', 'calls', stats.calls.length, stats.calls.slice(0, 20).join(','), 'max', Math.max(...stats.calls));
  }
}, 120_000);
