// How a rate-limited fake server's windows were used, from its own records: the fullest window and the mean use
// of the limit that binds, measured as `npm run bench` case 6 measures it.

import type { FakeRequestInfo } from '../support/fake-server.js';

export interface WindowUse {
  /** Whole windows measured, one starting every `stepMs` between the first and the last accepted request. */
  windows: number;
  /** Mean over those windows of the larger of requests/rpm and tokens/tpm. */
  utilisation: number;
  /** The most requests and tokens any window ending at an accepted request held. */
  peakRequests: number;
  peakTokens: number;
}

export interface Limits {
  rpm?: number;
  tpm?: number;
  windowMs: number;
}

interface Accepted {
  at: number;
  tokens: number;
}

export function windowUse(requests: readonly FakeRequestInfo[], limits: Limits, stepMs = 50): WindowUse {
  const accepted: Accepted[] = requests
    .filter((r) => r.status === 200)
    .map((r) => ({ at: r.receivedAt, tokens: (r.usage?.promptTokens ?? 0) + (r.usage?.completionTokens ?? 0) }))
    .sort((a, b) => a.at - b.at);
  const { rpm, tpm, windowMs } = limits;
  const inWindow = (from: number, to: number) => {
    let count = 0;
    let tokens = 0;
    for (const a of accepted) {
      if (a.at >= from && a.at < to) {
        count++;
        tokens += a.tokens;
      }
    }
    return { count, tokens };
  };
  let peakRequests = 0;
  let peakTokens = 0;
  for (const a of accepted) {
    const w = inWindow(a.at - windowMs + 1, a.at + 1);
    peakRequests = Math.max(peakRequests, w.count);
    peakTokens = Math.max(peakTokens, w.tokens);
  }
  const first = accepted[0]?.at ?? 0;
  const last = accepted.at(-1)?.at ?? 0;
  let sum = 0;
  let windows = 0;
  for (let start = first; start + windowMs <= last; start += stepMs) {
    const w = inWindow(start, start + windowMs);
    sum += Math.max(rpm === undefined ? 0 : w.count / rpm, tpm === undefined ? 0 : w.tokens / tpm);
    windows++;
  }
  return { windows, utilisation: windows > 0 ? sum / windows : 0, peakRequests, peakTokens };
}
