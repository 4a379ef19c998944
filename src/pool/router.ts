// Which endpoint a request goes to: among those that could start it now, the one with the most free capacity,
// counted as free slots × weight. Open circuits and endpoints paused by a 429 have no free capacity now, so
// they get nothing; a slow endpoint keeps its slots busy longer, so it is picked less often without being
// measured. Ties go to the heavier endpoint, then to the one listed first.

import type { EndpointSlot } from './endpoint-slot.js';
import type { RequestTokens } from './request-tokens.js';

export type Route =
  /** Send it on this endpoint now. */
  | { kind: 'start'; slot: EndpointSlot }
  /**
   * Nothing can take it now; the soonest endpoint is ready at `until`. `hold` is that endpoint when the wait is
   * the endpoint's own (rate window, 429 pause, circuit cool-down), so requests behind this one do not take
   * its turn there (a long prompt waiting for TPM room is not starved by short ones slipping past); undefined
   * when this request's own retry delay is what it waits for.
   */
  | { kind: 'wait'; until: number; hold: EndpointSlot | undefined }
  /** Every endpoint it may use is full: an answer has to come back first. */
  | { kind: 'full' };

export interface RouteQuery {
  /** The request's size; each endpoint turns it into what it counts against its limits. */
  tokens: RequestTokens;
  now: number;
  /** Earliest time this request may use `slot` (its own retry delay there); `now` or earlier when free to. */
  notBefore(slot: EndpointSlot): number;
  /** Endpoints held for requests ahead of this one. */
  held: ReadonlySet<EndpointSlot>;
}

export function routeRequest(slots: readonly EndpointSlot[], query: RouteQuery): Route {
  const { tokens, now } = query;
  let best: EndpointSlot | undefined;
  let bestScore = -1;
  let soonest = Number.POSITIVE_INFINITY;
  let soonestSlot: EndpointSlot | undefined;
  for (const slot of slots) {
    if (query.held.has(slot)) continue;
    const slotReadyAt = slot.readyAt(tokens, now);
    const ownReadyAt = query.notBefore(slot);
    const readyAt = Math.max(slotReadyAt, ownReadyAt);
    if (readyAt <= now) {
      const score = slot.freeSlots(now) * slot.limits.weight;
      if (score > bestScore || (score === bestScore && best !== undefined && slot.limits.weight > best.limits.weight)) {
        best = slot;
        bestScore = score;
      }
    } else if (readyAt < soonest) {
      soonest = readyAt;
      // Hold the endpoint only when its own wait is the longer one: if this request's retry delay ends
      // later, the endpoint is free for others in between.
      soonestSlot = slotReadyAt >= ownReadyAt ? slot : undefined;
    }
  }
  if (best) return { kind: 'start', slot: best };
  if (soonest === Number.POSITIVE_INFINITY) return { kind: 'full' };
  return { kind: 'wait', until: soonest, hold: soonestSlot };
}
