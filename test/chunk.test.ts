import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../src/chunk.js';
import { countTokens } from '../src/tokens.js';
import type { Chunk } from '../src/types.js';

interface Doc {
  id: string;
  text: string;
  /** The corpus's guess at the language (absent in documents made by a test). */
  lang?: string;
}

/** Documents of a shared corpus file, read at test time (the corpus is not copied into the repository). */
function corpus(name: 'gutenberg' | 'wikipedia' | 'web'): Doc[] {
  return readFileSync(new URL(`../../shared/corpus/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { id, text, lang } = JSON.parse(line) as Doc;
      return { id, text, lang };
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

// A word of letters or digits of a script written with spaces (Latin, Cyrillic…), with its combining marks,
// its apostrophes, points and hyphens, and the separators of a number: "A380", "1,958.5", "WABC-TV", "Café".
const WORD_CHARACTER = '(?:(?![\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}])[\\p{L}\\p{N}]\\p{M}*)';
const LATIN_WORD = new RegExp(`${WORD_CHARACTER}+(?:(?:[.'’-]|(?<=\\p{N})[,:](?=\\p{N}))${WORD_CHARACTER}+)*`, 'gu');

/**
 * Chunk boundaries inside the text that fall inside a Latin word or a number (unless that word alone is over
 * the bound, when it must be cut), before a combining mark or an emoji modifier, or inside a surrogate pair;
 * each shown with its surroundings, "直到19|58年".
 */
function cutsInsideWords(text: string, chunks: Chunk[], maxTokens: number): string[] {
  const wordAt = new Map<number, string>(); // each position strictly inside a word → the word
  for (const m of text.matchAll(LATIN_WORD)) for (let i = m.index + 1; i < m.index + m[0].length; i++) wordAt.set(i, m[0]);
  const bad: string[] = [];
  for (const cut of new Set(chunks.flatMap((c) => [c.start, c.end]))) {
    if (cut <= 0 || cut >= text.length) continue;
    const word = wordAt.get(cut);
    const splitsWord = word !== undefined && countTokens(word) <= maxTokens;
    const splitsCharacter = /^[\p{M}\u{1F3FB}-\u{1F3FF}]/u.test(text.slice(cut, cut + 2)) || /^[\uDC00-\uDFFF]/.test(text.slice(cut, cut + 1));
    if (splitsWord || splitsCharacter) bad.push(`${text.slice(Math.max(0, cut - 8), cut)}|${text.slice(cut, cut + 8)}`);
  }
  return bad;
}

/** Chinese and Japanese text without a space, full of Latin words, numbers and codes. */
const CJK_WITH_LATIN = [
  '据报道，空中客车A380于2005年4月27日首飞，翼展79.8米，最大起飞重量达到575,000公斤，售价约为4.45亿美元。',
  '诺布尔任命金特纳为总裁，而他本人则担任首席执行官，直到1958年去世。',
  '它将被要求在纽约市场上销售WABC-TV或杜蒙拥有并运营的WABD电视台，合并后的ABC-杜蒙将拥有与CBS和NBC竞争的资源。',
  '距离为1,958.5公里，iPhone15和COVID-19的消息也随后发布；Sky+HD内容使用MPEG-4广播、DVB-S2标准。',
  'エアバスA380は2005年に初飛行した。最大離陸重量は575,000キログラムで、WABC-TVのニュースでも取り上げられた！',
].join('');

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

  it('never cuts inside a Latin word or a number in Chinese, Japanese or English corpus documents, at any small bound', () => {
    const documents = [...corpus('wikipedia'), ...corpus('web'), ...corpus('gutenberg')].filter((d) => d.lang === 'zh' || d.lang === 'ja' || d.id.startsWith('xquad-en-'));
    expect(documents.filter((d) => d.lang === 'zh').length).toBeGreaterThan(0);
    for (const doc of documents) {
      for (let maxTokens = 20; maxTokens <= 80; maxTokens += 10) {
        const chunks = [...chunkDocument(doc, { maxTokens })];
        expectWellFormed(doc, chunks, maxTokens);
        expect(cutsInsideWords(doc.text, chunks, maxTokens), `${doc.id} at ${maxTokens}`).toEqual([]);
        // English has spaces between all its words: it is cut at them alone.
        if (doc.lang === 'en') expect(cutsBetweenWords(doc.text, chunks), `${doc.id} at ${maxTokens}`).toBe(true);
      }
    }
  });

  it('keeps Latin words, numbers and codes such as A380, 1,958.5 and WABC-TV whole inside Chinese and Japanese text', () => {
    const text = CJK_WITH_LATIN.repeat(12); // one paragraph, one "sentence" to the segmenter, not one space
    const wholes = ['A380', '2005', '79.8', '575,000', '4.45', '1958', 'WABC-TV', 'WABD', 'ABC', '1,958.5', 'iPhone15', 'COVID-19', 'MPEG-4', 'DVB-S2'];
    for (let maxTokens = 8; maxTokens <= 64; maxTokens += 4) {
      const chunks = chunksOf(text, maxTokens);
      expectWellFormed({ id: 'doc', text }, chunks, maxTokens);
      expect(chunks.length).toBeGreaterThan(1);
      expect(cutsInsideWords(text, chunks, maxTokens), `at ${maxTokens}`).toEqual([]);
      for (const word of wholes) {
        for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
          expect(chunks.some((c) => c.start <= at && at + word.length <= c.end), `${word} at ${at}, bound ${maxTokens}`).toBe(true);
        }
      }
    }
  });

  it('ends chunks of Chinese text after its punctuation when one is near the bound', () => {
    const clauses = ['今天早上天气很好', '我们一起去公园散步', '湖边的柳树已经发芽了', '孩子们在草地上放风筝', '老人们坐在长椅上聊天'];
    const text = Array.from({ length: 60 }, (_, i) => `${clauses[i % 5]}${'，、；，。'[i % 5]}`).join('');
    for (const maxTokens of [30, 40, 60, 80]) {
      const chunks = chunksOf(text, maxTokens);
      expectWellFormed({ id: 'doc', text }, chunks, maxTokens);
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) expect(chunk.text, `at ${maxTokens}`).toMatch(/[。，、；]$/);
    }
  });

  it('never separates a combining mark, an emoji modifier or a surrogate pair from its character in CJK text', () => {
    const text = '咖啡馆里Cafe\u0301和naïve的招牌旁有𠀀𠀁𠮷三个字与👍🏽👋🏿两个表情'.repeat(40);
    for (const maxTokens of [6, 10, 20, 40]) {
      const chunks = chunksOf(text, maxTokens);
      expectWellFormed({ id: 'doc', text }, chunks, maxTokens);
      expect(cutsInsideWords(text, chunks, maxTokens), `at ${maxTokens}`).toEqual([]);
      for (const chunk of chunks) expect(chunk.text).not.toMatch(LONE_SURROGATE);
    }
  });

  it('still cuts a run of letters and digits longer than the bound inside Chinese text, as a last resort', () => {
    const run = Array.from({ length: 10 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join(''); // 640 characters, one word
    const text = `美国广播公司的代码是${run}，这是一个很长的字符串，其中A380和1,958.5不会被切开。`.repeat(3);
    const chunks = chunksOf(text, 40);
    expectWellFormed({ id: 'doc', text }, chunks, 40);
    expect(countTokens(run)).toBeGreaterThan(4 * 40);
    const runStart = text.indexOf(run);
    const pieces = chunks.filter((c) => c.end > runStart && c.start < runStart + run.length);
    expect(pieces.length).toBeGreaterThan(3);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]?.start).toBe(pieces[i - 1]?.end); // no gap inside the word
    expect(cutsInsideWords(text, chunks, 40)).toEqual([]); // only the run, longer than the bound, is cut inside
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

describe('chunk hashes', () => {
  const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

  it("takes the document's hash for a chunk that is the whole text, and hashes any other chunk's own text", () => {
    const whole = 'The tram network reached Daejeon in 1961.';
    // A stand-in for the document's hash, so that a chunk that took it is told apart from one that hashed itself.
    const [only] = [...chunkDocument({ id: 'd', text: whole, sha256: 'given' }, { maxTokens: 400 })];
    expect(only?.sha256).toBe('given');
    // Trimmed: the chunk is not the text the document's hash is of.
    const padded = `\n${whole}\n\n`;
    const [trimmed] = [...chunkDocument({ id: 'd', text: padded, sha256: sha256(padded) }, { maxTokens: 400 })];
    expect(trimmed?.text).toBe(whole);
    expect(trimmed?.sha256).toBe(sha256(whole));
    // Cut in several: each chunk hashes its own text.
    const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i} tells of the ferry to Bergen and its ${i + 3} crossings.`).join('\n\n');
    const parts = [...chunkDocument({ id: 'd', text: long, sha256: sha256(long) }, { maxTokens: 64 })];
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.sha256).toBe(sha256(part.text));
  });
});
