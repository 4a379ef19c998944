import { afterEach, describe, expect, it } from 'vitest';
import { MultiEndpointPool } from '../../src/pool/multi-endpoint-pool.js';
import type { CircuitEvent } from '../../src/pool/pool-events.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { providerFor, settleAll, sleepMs, taskRequest } from './loopback-support.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => undefined)));
});

/** The tasks a server answered with a completion, read from the `task N` their prompts start with. */
function taskIds(server: FakeServer): number[] {
  return server.requests.filter((r) => r.status === 200).map((r) => Number(/^task (\d+)/.exec(String(r.body.messages[0]?.content))?.[1]));
}

const circuitOptions = { baseDelayMs: 20, maxDelayMs: 500, circuitCooldownMs: 200, circuitMaxCooldownMs: 800 };

describe('an endpoint that dies mid-run and comes back', () => {
  it('refusing connections: its circuit opens, the other endpoint carries the work, and it closes when the server is back', async () => {
    let dying = await startFakeServer({ latencyMs: 40 });
    const steady = await startFakeServer({ latencyMs: 100 });
    servers.push(steady);
    const port = Number(new URL(dying.url).port);
    const pool = new MultiEndpointPool(
      [
        { provider: providerFor(dying.url, 'dying'), maxInFlight: 4 },
        { provider: providerFor(steady.url, 'steady'), maxInFlight: 4 },
      ],
      circuitOptions,
    );
    const events: Array<CircuitEvent & { at: number }> = [];
    pool.on('circuit', (e) => events.push({ ...e, at: Date.now() }));

    const tasks = Array.from({ length: 300 }, (_, id) => pool.generate(taskRequest(id)));
    const outage = (async () => {
      while (dying.requestCount < 20) await sleepMs(5);
      const before = dying;
      await before.close(); // in-flight requests are cut off, new connections refused
      await sleepMs(1200);
      dying = await startFakeServer({ latencyMs: 40, port });
      servers.push(dying);
      return before;
    })();
    const { results, failures } = await settleAll(tasks);
    const firstLife = await outage;

    // No task lost: every one has its answer, and a server answered each. (A server may have answered one twice:
    // an answer cut off by the shutdown is retried, as it must be.)
    expect(failures).toEqual([]);
    expect(results).toHaveLength(300);
    const answered = new Set([...taskIds(firstLife), ...taskIds(dying), ...taskIds(steady)]);
    expect([...answered].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, id) => id));

    const dyingEvents = events.filter((e) => e.endpoint === 'dying');
    expect(dyingEvents[0]?.state).toBe('open');
    expect(dyingEvents.at(-1)?.state).toBe('closed');
    expect(events.filter((e) => e.endpoint === 'steady')).toEqual([]);
    // Back up, it took its share again.
    expect(dying.requests.filter((r) => r.status === 200).length).toBeGreaterThan(10);
    expect(pool.stats()[0]).toMatchObject({ endpoint: 'dying', circuit: 'closed' });
  });

  it('answering 503: the only endpoint’s requests wait for the probe instead of failing, and are all answered', async () => {
    let down = false;
    const server = await startFakeServer({ latencyMs: 20, respond: () => (down ? { status: 503 } : undefined) });
    servers.push(server);
    const pool = new MultiEndpointPool([{ provider: providerFor(server.url, 'only'), maxInFlight: 4 }], circuitOptions);
    const events: CircuitEvent[] = [];
    pool.on('circuit', (e) => events.push(e));

    const tasks = Array.from({ length: 300 }, (_, id) => pool.generate(taskRequest(id)));
    while (server.requestCount < 50) await sleepMs(5);
    down = true;
    await sleepMs(1000);
    down = false;
    const { results, failures } = await settleAll(tasks);

    expect(failures).toEqual([]);
    expect(results).toHaveLength(300);
    expect(taskIds(server).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, id) => id));
    expect(events[0]).toMatchObject({ state: 'open', cooldownMs: 200 });
    expect(events.at(-1)?.state).toBe('closed');
    // While it was down the pool did not hammer it: the failures that opened the circuit, then probes.
    expect(server.requests.filter((r) => r.status === 503).length).toBeLessThanOrEqual(15);
  });
});
