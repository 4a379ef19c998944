// The requests `reword run` sends for a corpus, prepared ahead of time for the minimal client: the same
// chunks, rendered prompts, parameters and seeds, as chat completion bodies, one JSON object per line.
// Built with reword's own functions so the two sides cannot drift apart.

import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { chunkDocument } from '../src/chunk.js';
import { loadStyles, renderMessages } from '../src/prompts.js';
import { attemptSeed, defaultTemperature, taskKey } from '../src/task-key.js';

export interface RequestPlan {
  /** Style id, as `--style` takes it. */
  style: string;
  /** Model name, as `--model` takes it. */
  model: string;
  chunkTokens: number;
  /** `--seed`; reword's default is 0. */
  baseSeed?: number;
}

/**
 * Writes to `outPath` the body of every first-attempt request reword would send for `corpusPath` (a JSONL of
 * `{"id","text"}`): one per chunk, a chunk text seen before being requested once, as reword does.
 * Returns the number of requests.
 */
export async function writeRequests(corpusPath: string, outPath: string, plan: RequestPlan): Promise<number> {
  const style = loadStyles().get(plan.style);
  if (!style) throw new Error(`bench: unknown style ${plan.style}`);
  const temperature = style.temperature ?? defaultTemperature;
  // The parameters as they enter the task key (samplingParams, with no --temperature or --top-p given).
  const params = { temperature, top_p: undefined, max_tokens: style.maxOutputTokens };
  const seen = new Set<string>();
  const fd = openSync(outPath, 'w');
  let block: string[] = [];
  const flushBlock = (): void => {
    writeSync(fd, block.join(''));
    block = [];
  };
  try {
    for await (const line of createInterface({ input: createReadStream(corpusPath), crlfDelay: Infinity })) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line) as { id: string; text: string };
      for (const chunk of chunkDocument(record, { maxTokens: plan.chunkTokens })) {
        const key = taskKey({ chunkSha256: chunk.sha256, promptSha256: style.sha256, model: plan.model, params });
        if (seen.has(key)) continue;
        seen.add(key);
        const body = {
          model: plan.model,
          messages: renderMessages(style, chunk.text),
          n: 1,
          max_tokens: style.maxOutputTokens,
          temperature,
          seed: attemptSeed(plan.baseSeed ?? 0, key, 1),
        };
        block.push(JSON.stringify(body) + '\n');
        if (block.length === 1024) flushBlock();
      }
    }
    flushBlock();
  } finally {
    closeSync(fd);
  }
  return seen.size;
}
