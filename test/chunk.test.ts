import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../src/chunk.js';
import { countTokens } from '../src/tokens.js';
import type { Chunk } from '../src/types.js';

interface Doc {
  id: string;
  text: string;
}

/** Documents of a shared corpus file, read at test time (the corpus is not copied into the repository). */
function corpus(name: 'gutenberg' | 'wikipedia' | 'web'): Doc[] {
  return readFileSync(new URL(`../../shared/corpus/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { id, text } = JSON.parse(line) as Doc;
      return { id, text };
    });
}

function chunksOf(text: string, maxTokens: number, id = 'doc'): Chunk[] {
  return [...chunkDocument({ id, text }, { maxTokens })];
}

const isSpace = (ch: string | undefined): boolean => ch === undefined || /\s/.test(ch);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What every chunking must hold: exact spans, exact counts within the bound, the text covered in order. */
function expectWellFormed(doc: Doc, chunks: Chunk[], maxTokens: number): void {
  let covered = 0;
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.docId).toBe(doc.id);
    expect(doc.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.tokens).toBe(countTokens(chunk.text));
    expect(chunk.tokens).toBeLessThanOrEqual(maxTokens);
    expect(chunk.sha256).toBe(createHash('sha256').update(chunk.text, 'utf8').digest('hex'));
    expect(doc.text.slice(covered, chunk.start).trim()).toBe(''); // only whitespace between chunks
    covered = chunk.end;
  });
  expect(doc.text.slice(covered).trim()).toBe('');
}

/** True when no chunk starts or ends inside a word. */
function cutsBetweenWords(text: string, chunks: Chunk[]): boolean {
  return chunks.every((c) => isSpace(text[c.start - 1]) && isSpace(text[c.end]));
}

describe('chunkDocument', () => {
  it('keeps a short document as one chunk, trimmed, with exact offsets', () => {
    const text = '\n  A short note. It fits easily.\n\n';
    const [only, ...rest] = chunksOf(text, 400);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ index: 0, start: 3, end: 32, text: 'A short note. It fits easily.' });
    expect(only?.tokens).toBe(countTokens('A short note. It fits easily.'));
  });

  it('yields nothing for a document of whitespace only', () => {
    expect(chunksOf(' \n\n\t ', 50)).toEqual([]);
  });

  it('covers every Gutenberg document in order, within the bound, cutting only between words', () => {
    for (const maxTokens of [64, 400]) {
      for (const doc of corpus('gutenberg')) {
        const chunks = [...chunkDocument(doc, { maxTokens })];
        expectWellFormed(doc, chunks, maxTokens);
        expect(cutsBetweenWords(doc.text, chunks)).toBe(true);
      }
    }
    // The first book chunk is about 8 K characters: several chunks at 400 tokens, one at 4 000.
    const [first] = corpus('gutenberg');
    if (!first) throw new Error('the Gutenberg corpus is empty');
    expect(chunksOf(first.text, 400).length).toBeGreaterThan(3);
    expect(chunksOf(first.text, 4_000)).toHaveLength(1);
  });

  it('holds the bound on text without spaces between words (Chinese, Thai) and on web pages', () => {
    for (const doc of [...corpus('wikipedia'), ...corpus('web')]) expectWellFormed(doc, [...chunkDocument(doc, { maxTokens: 32 })], 32);
  });

  it('packs whole paragraphs greedily when they fit', () => {
    const paragraphs = Array.from(
      { length: 6 },
      (_, i) => `Paragraph ${i + 1} describes the harbour town as the ferries come in. Gulls circle over the fish market while the church bell rings the hour.`,
    );
    const pair = countTokens(`${paragraphs[0]}\n\n${paragraphs[1]}`);
    const maxTokens = Math.ceil(pair / 0.9); // two paragraphs fit, three do not
    const text = paragraphs.join('\n\n');
    const chunks = chunksOf(text, maxTokens);
    expectWellFormed({ id: 'doc', text }, chunks, maxTokens);
    expect(chunks.map((c) => c.text)).toEqual([0, 2, 4].map((i) => `${paragraphs[i]}\n\n${paragraphs[i + 1]}`));
  });

  it('keeps a document of several paragraphs whole when its exact count fits the bound', () => {
    let documents = 0;
    for (const doc of [...corpus('wikipedia'), ...corpus('web'), ...corpus('gutenberg')]) {
      const text = doc.text.trim();
      if (!/\n\s*\n/.test(text)) continue;
      documents++;
      const tokens = countTokens(text);
      // At the exact count and one above it: cutting such a document doubles its requests and splits its context.
      for (const bound of [tokens, tokens + 1]) {
        const chunks = chunksOf(text, bound, doc.id);
        expect(chunks.map((c) => [c.start, c.end, c.tokens]), `${doc.id} at ${bound}`).toEqual([[0, text.length, tokens]]);
      }
    }
    expect(documents).toBeGreaterThan(50);
  });

  it('breaks a paragraph too long for one chunk at sentence ends, packing several sentences per chunk', () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `Sentence ${i + 1} tells of the ${['mill', 'river', 'orchard', 'bridge'][i % 4]} near the old road.`);
    const text = sentences.join(' ');
    const chunks = chunksOf(text, 50);
    expectWellFormed({ id: 'doc', text }, chunks, 50);
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/^Sentence \d+ /);
      expect(chunk.text).toMatch(/road\.$/);
    }
    const perChunk = sentences.length / chunks.length;
    expect(perChunk).toBeGreaterThan(2);
  });

  it('does not take a sentence end from a window cut short of the words that decide it', () => {
    // After "etc. ( ( (" only the lowercase "and" tells the segmenter that no sentence ends; the paragraph
    // is long enough that many of the segmenter's windows end inside such a run. A chunk holds one and a
    // half sentences, so a false end after "etc." would show as a chunk ending there.
    const sentence = (i: number): string => `Item ${1000 + i} needs ${'fresh '.repeat(i % 5)}bread etc. ${'( '.repeat(30)}and so on.`;
    const text = Array.from({ length: 5_000 }, (_, i) => sentence(i)).join(' ');
    const maxTokens = Math.floor(1.5 * countTokens(sentence(0)));
    const chunks = chunksOf(text, maxTokens);
    expectWellFormed({ id: 'doc', text }, chunks, maxTokens);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^Item \d+ .*and so on\.$/s);
  });

  it('treats the line breaks of hard-wrapped prose as spaces, not as sentence ends', () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `The keeper of lighthouse ${i + 1} climbed the stairs at dusk and lit the great lamp for the ships.`);
    const wrapped = sentences.join(' ').replace(/(.{1,60})(?: |$)/g, '$1\n').trim(); // lines of at most 60 characters
    expect(wrapped.split('\n').length).toBeGreaterThan(60);
    const chunks = chunksOf(wrapped, 60);
    expectWellFormed({ id: 'doc', text: wrapped }, chunks, 60);
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/^The\skeeper\sof\slighthouse\s\d+\s/);
      expect(chunk.text).toMatch(/for\sthe\sships\.$/);
    }
  });

  it('finds sentence ends the same way deep into a paragraph of several hundred thousand characters', () => {
    const sentence = (i: number): string => `Dr. Moreau wrote entry ${i} in the log, and the tide rose again at ${i % 12} o'clock!`;
    const text = Array.from({ length: 4_000 }, (_, i) => sentence(i)).join(' ');
    expect(text.length).toBeGreaterThan(300_000);
    const chunks = chunksOf(text, 120);
    expectWellFormed({ id: 'doc', text }, chunks, 120);
    for (const chunk of chunks) expect(chunk.text).toMatch(/^Dr\. Moreau wrote entry \d+ .*o'clock!$/s);
  });

  it('splits a sentence longer than the bound between words, never inside one, keeping every word in order', () => {
    // About 100 K characters with no sentence end: longer than any window the sentence finder uses.
    const words = Array.from({ length: 16_000 }, (_, i) => `word${(i * 7919) % 1000}`);
    const text = words.join(' ');
    const chunks = chunksOf(text, 50);
    expectWellFormed({ id: 'doc', text }, chunks, 50);
    expect(cutsBetweenWords(text, chunks)).toBe(true);
    expect(chunks.flatMap((c) => c.text.split(/\s+/))).toEqual(words);
    expect(chunks.reduce((n, c) => n + c.tokens, 0) / chunks.length).toBeGreaterThan(35); // packed, not word by word
  });

  it('cuts a single word longer than the bound into adjacent pieces as a last resort', () => {
    // 6 000 characters of base64 with no space: far more than 50 tokens.
    const blob = Array.from({ length: 140 }, (_, i) => createHash('sha256').update(String(i)).digest('base64').replace(/=+$/, '')).join('').slice(0, 6_000);
    const text = `Before the blob. ${blob} After the blob.`;
    const chunks = chunksOf(text, 50);
    expectWellFormed({ id: 'doc', text }, chunks, 50);
    const blobStart = text.indexOf(blob);
    const blobEnd = blobStart + blob.length;
    const overlapping = chunks.filter((c) => c.end > blobStart && c.start < blobEnd);
    expect(overlapping.length).toBeGreaterThan(5);
    for (let i = 1; i < overlapping.length; i++) expect(overlapping[i]?.start).toBe(overlapping[i - 1]?.end); // no gap inside the word
    expect(chunks[0]?.text).toBe('Before the blob.');
  });

  it('cuts a run of one letter far longer than the bound without encoding it whole', () => {
    // tiktoken needs about a minute for 160 K characters of one letter in one piece; in chunks it is quick.
    const text = `Start. ${'a'.repeat(200_000)} end.`;
    const chunks = chunksOf(text, 400);
    expectWellFormed({ id: 'doc', text }, chunks, 400);
    expect(chunks.length).toBeGreaterThan(50);
  });

  it('never cuts a surrogate pair apart when it must cut a word', () => {
    const text = '😀🌍🚀✨'.repeat(400);
    const chunks = chunksOf(text, 40);
    expectWellFormed({ id: 'doc', text }, chunks, 40);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.text).not.toMatch(LONE_SURROGATE);
  });

  it('keeps CRLF paragraphs apart and leaves the line endings outside the chunks', () => {
    const first = 'First paragraph, first line.\r\nStill the first paragraph.';
    const text = `${first}\r\n\r\nSecond paragraph.\r\n`;
    const maxTokens = countTokens(first) + 1;
    expect(countTokens(text.trim())).toBeGreaterThan(maxTokens);
    const chunks = chunksOf(text, maxTokens);
    expectWellFormed({ id: 'doc', text }, chunks, maxTokens);
    expect(chunks.map((c) => c.text)).toEqual([first, 'Second paragraph.']);
  });

  it('counts special-token text such as <|endoftext|> as ordinary text', () => {
    const text = 'Training data sometimes contains <|endoftext|> in the middle of a page.';
    const [chunk] = chunksOf(text, 100);
    expect(chunk?.text).toBe(text);
    expect(chunk?.tokens).toBeGreaterThan(10);
  });

  it('gives a document the same chunks whatever was chunked before it', () => {
    const [a, b] = corpus('wikipedia');
    if (!a || !b) throw new Error('the Wikipedia corpus is too small');
    const alone = chunksOf(b.text, 64).map((c) => c.sha256);
    chunksOf(a.text, 64);
    expect(chunksOf(b.text, 64).map((c) => c.sha256)).toEqual(alone);
  });

  it('rejects a bound that is not a positive integer', () => {
    for (const maxTokens of [0, -5, 1.5, Number.NaN]) expect(() => chunksOf('Some text.', maxTokens)).toThrow(RangeError);
  });
});
