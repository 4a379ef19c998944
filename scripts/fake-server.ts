// Starts the loopback OpenAI-compatible server in its own process, for benchmarks and manual runs.
// The first stdout line is `listening http://127.0.0.1:PORT/v1`; a parent reads it to get the URL.
// The server exits on SIGTERM/SIGINT, or when stdin closes, so it cannot outlive a parent that dies.

import { Command, InvalidArgumentError } from 'commander';
import { startFakeServer } from '../test/support/fake-server.js';

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

const program = new Command()
  .name('fake-server')
  .description('Loopback OpenAI-compatible server answering chat completions with faithful rewrites')
  .option('--latency-ms <n>', 'delay before every answer, in milliseconds', nonNegativeInteger, 0)
  .option('--port <n>', 'port to listen on (0 = any free port)', nonNegativeInteger, 0)
  .option('--no-exit-on-stdin-close', 'keep running when stdin closes (e.g. when started with stdin from /dev/null)')
  .parse();

const opts = program.opts<{ latencyMs: number; port: number; exitOnStdinClose: boolean }>();

const server = await startFakeServer({ latencyMs: opts.latencyMs, port: opts.port, recordRequests: false });
process.stdout.write(`listening ${server.url}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}

process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
if (opts.exitOnStdinClose) {
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
}
