import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/pool/circuit.js';

const options = { failureThreshold: 3, cooldownMs: 1000, maxCooldownMs: 4000 };

/** Fails `n` requests that were sent while the circuit was closed. */
function failTimes(circuit: CircuitBreaker, n: number, now: number) {
  return Array.from({ length: n }, () => circuit.onFailure(false, now));
}

describe('CircuitBreaker', () => {
  it('stays closed through failures that are not consecutive', () => {
    const circuit = new CircuitBreaker(options);
    failTimes(circuit, 2, 0);
    circuit.onAlive(false);
    failTimes(circuit, 2, 0);
    expect(circuit.state(0)).toBe('closed');
    expect(circuit.readyAt(0)).toBe(0);
  });

  it('opens after the threshold of consecutive failures and lets nothing through during the cool-down', () => {
    const circuit = new CircuitBreaker(options);
    const transitions = failTimes(circuit, 3, 500);
    expect(transitions).toEqual([undefined, undefined, { state: 'open', cooldownMs: 1000, reopened: false }]);
    expect(circuit.state(1499)).toBe('open');
    expect(circuit.readyAt(600)).toBe(1500);
  });

  it('ignores the failures of requests that were in flight when it opened', () => {
    const circuit = new CircuitBreaker(options);
    failTimes(circuit, 3, 0);
    expect(failTimes(circuit, 10, 100)).toEqual(Array(10).fill(undefined));
    expect(circuit.readyAt(100)).toBe(1000);
  });

  it('lets exactly one probe through once the cool-down has passed', () => {
    const circuit = new CircuitBreaker(options);
    failTimes(circuit, 3, 0);
    expect(circuit.state(1000)).toBe('half-open');
    expect(circuit.readyAt(1000)).toBe(1000);
    expect(circuit.onStart(1000)).toBe(true);
    expect(circuit.readyAt(1000)).toBe(Number.POSITIVE_INFINITY);
    expect(circuit.readyAt(50_000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('closes when the probe is answered', () => {
    const circuit = new CircuitBreaker(options);
    failTimes(circuit, 3, 0);
    const probe = circuit.onStart(1000);
    expect(circuit.onAlive(probe)).toBe(true);
    expect(circuit.state(1000)).toBe('closed');
    expect(circuit.onStart(1001)).toBe(false);
    // A fresh run of failures is needed to open it again.
    expect(failTimes(circuit, 2, 1001).every((t) => t === undefined)).toBe(true);
  });

  it('reopens with a doubled cool-down, capped, each time the probe fails', () => {
    const circuit = new CircuitBreaker(options);
    failTimes(circuit, 3, 0);
    let now = 1000;
    const cooldowns: number[] = [];
    for (let i = 0; i < 4; i++) {
      const probe = circuit.onStart(now);
      const t = circuit.onFailure(probe, now);
      expect(t?.reopened).toBe(true);
      cooldowns.push(t?.cooldownMs ?? -1);
      now += t?.cooldownMs ?? 0;
    }
    expect(cooldowns).toEqual([2000, 4000, 4000, 4000]);
    // After a success the next opening starts from the first cool-down again.
    circuit.onAlive(circuit.onStart(now));
    expect(failTimes(circuit, 3, now)[2]).toMatchObject({ cooldownMs: 1000 });
  });

  it('lets another request probe when the probe was cancelled without an answer', () => {
    const circuit = new CircuitBreaker(options);
    failTimes(circuit, 3, 0);
    const probe = circuit.onStart(1000);
    circuit.onInconclusive(probe);
    expect(circuit.readyAt(1000)).toBe(1000);
    expect(circuit.onStart(1000)).toBe(true);
  });

  it('rejects settings it cannot work with', () => {
    expect(() => new CircuitBreaker({ ...options, failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => new CircuitBreaker({ ...options, maxCooldownMs: 10 })).toThrow(/maxCooldownMs/);
  });
});
