import { test } from 'vitest';
import { readFileSync } from 'node:fs';
import { chunkDocument } from '../src/chunk.js';
import { countTokens } from '../src/tokens.js';
test('bench', () => {
  const docs = readFileSync('/work/shared/corpus/gutenberg.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text as string);
  let big = docs.join('\n\n'); while (big.length < 20e6) big += '\n\n' + big; big = big.slice(0, 20e6);
  let t = Date.now(); countTokens(big.slice(0, 5e6)); console.log('reference: one pass over 5 MB', Date.now() - t, 'ms');
  for (const [name, text] of [['paragraphs', big], ['one paragraph', big.replace(/\s+/g, ' ')], ['no sentences', big.replace(/[.!?;:]/g, ',').replace(/\s+/g, ' ')]] as const) {
    const t = Date.now(); let n = 0; let tok = 0;
    for (const c of chunkDocument({ id: 'x', text }, { maxTokens: 400 })) { n++; tok += c.tokens; }
    console.log(name, text.length, 'chunks', n, 'tokens', tok, Date.now() - t, 'ms');
  }
}, 600_000);
