// The minimal client of `npm run bench` case 1: sends prepared chat completion bodies (scripts/bench-requests.ts)
// with the openai SDK reword uses, `--concurrency` at a time, and does nothing else: no judging, no ledger.
// Prints one JSON line: {"requests", "failures", "elapsedMs"}.
//
//   node dist/scripts/bench-client.js --requests FILE --base-url URL --concurrency N

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

const { values } = parseArgs({
  options: {
    requests: { type: 'string' },
    'base-url': { type: 'string' },
    concurrency: { type: 'string', default: '8' },
  },
});
if (!values.requests || !values['base-url']) {
  process.stderr.write('usage: bench-client --requests FILE --base-url URL [--concurrency N]\n');
  process.exit(1);
}
const concurrency = Number(values.concurrency);
const lines = readFileSync(values.requests, 'utf8').split('\n').filter((line) => line !== '');

// As reword's provider configures it: the SDK's own retries off.
const client = new OpenAI({ baseURL: values['base-url'], apiKey: 'unused', maxRetries: 0 });

let next = 0;
let failures = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < lines.length) {
      const body = JSON.parse(lines[next++] as string) as ChatCompletionCreateParamsNonStreaming;
      try {
        await client.chat.completions.create(body);
      } catch {
        failures++;
      }
    }
  }),
);
const elapsedMs = performance.now() - started;
process.stdout.write(JSON.stringify({ requests: lines.length, failures, elapsedMs }) + '\n');
