// The rate-limited loopback server of `npm run bench` case 6: it keeps requests and tokens per sliding window as
// a hosted API does (429 with retry-after past them, `x-ratelimit-*` headers on every answer) and, when its stdin
// closes, prints one JSON line of what it saw, then exits:
//   {"accepted", "refused", "peakRequests", "peakTokens", "windows", "utilisation"}
// `utilisation` is the mean, over the windows that lie wholly between the first and the last accepted request
// (one starting every second), of the larger of requests/rpm and tokens/tpm: how close the client kept to the
// limit that binds.
//
//   node dist/scripts/bench-server.js [--rpm N] [--tpm N] [--window-ms N] [--latency-ms N]

import { parseArgs } from 'node:util';
import { startFakeServer, type FakeRequestInfo } from '../test/support/fake-server.js';

const { values } = parseArgs({
  options: {
    rpm: { type: 'string' },
    tpm: { type: 'string' },
    'window-ms': { type: 'string', default: '60000' },
    'latency-ms': { type: 'string', default: '0' },
  },
});
const rpm = values.rpm === undefined ? undefined : Number(values.rpm);
const tpm = values.tpm === undefined ? undefined : Number(values.tpm);
const windowMs = Number(values['window-ms']);

const server = await startFakeServer({
  latencyMs: Number(values['latency-ms']),
  // Kept to read each answer's status and usage at the end: a rate-limited run is a few thousand requests.
  recordRequests: true,
  limits: { ...(rpm === undefined ? {} : { rpm }), ...(tpm === undefined ? {} : { tpm }), windowMs },
});
process.stdout.write(`listening ${server.url}\n`);

interface Accepted {
  at: number;
  tokens: number;
}

function accepted(requests: readonly FakeRequestInfo[]): Accepted[] {
  return requests
    .filter((r) => r.status === 200)
    .map((r) => ({ at: r.receivedAt, tokens: (r.usage?.promptTokens ?? 0) + (r.usage?.completionTokens ?? 0) }))
    .sort((a, b) => a.at - b.at);
}

/** Mean binding-limit usage over whole windows inside [first, last] accepted arrival, one per second. */
function utilisation(log: readonly Accepted[]): { windows: number; utilisation: number | null } {
  const first = log[0]?.at;
  const last = log[log.length - 1]?.at;
  if (first === undefined || last === undefined || last - first < windowMs) return { windows: 0, utilisation: null };
  let sum = 0;
  let windows = 0;
  for (let start = first; start + windowMs <= last; start += 1000) {
    let requests = 0;
    let tokens = 0;
    for (const a of log) {
      if (a.at >= start && a.at < start + windowMs) {
        requests++;
        tokens += a.tokens;
      }
    }
    sum += Math.max(rpm === undefined ? 0 : requests / rpm, tpm === undefined ? 0 : tokens / tpm);
    windows++;
  }
  return { windows, utilisation: sum / windows };
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const log = accepted(server.requests);
  const limiter = server.limiter;
  process.stdout.write(
    JSON.stringify({
      accepted: log.length,
      refused: limiter?.refused ?? 0,
      peakRequests: limiter?.peaks.requests ?? 0,
      peakTokens: limiter?.peaks.tokens ?? 0,
      ...utilisation(log),
    }) + '\n',
  );
  await server.close();
  process.exit(0);
}

process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
