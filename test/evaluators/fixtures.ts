// Shared by the evaluator and judge tests: a style to judge against, and real passages to judge.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EvalContext, Style } from '../../src/types.js';

export function makeStyle(overrides: Partial<Style> = {}): Style {
  return {
    id: 'wiki',
    description: 'Encyclopedic rewrite',
    kind: 'faithful',
    maxOutputTokens: 2048,
    lengthRatio: { min: 0.5, max: 1.6 },
    temperature: 0.7,
    evaluators: [],
    template: 'Rewrite:\n{{source}}',
    sha256: '0'.repeat(64),
    path: 'prompts/wiki.md',
    ...overrides,
  };
}

export function makeContext(options: Record<string, unknown> = {}, overrides: Partial<EvalContext> = {}): EvalContext {
  return { style: makeStyle(), finishReason: 'stop', options, ...overrides };
}

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/wikipedia.jsonl', import.meta.url));

/** The text of one English Wikipedia excerpt of the shared corpus, by id (e.g. "xquad-en-00"). */
export function wikipediaText(id: string): string {
  for (const line of readFileSync(CORPUS, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { id: string; text: string };
    if (record.id === id) return record.text;
  }
  throw new Error(`no document "${id}" in ${CORPUS}`);
}

/** The paragraphs of a corpus document after its title line. */
export function paragraphsOf(text: string): string[] {
  return text.split(/\n{2,}/).slice(1).filter((p) => p.trim() !== '');
}
