// Many requests share one caller signal (a whole run's stop signal). Node warns once an AbortSignal has more
// than ten listeners, and a listener per queued request would also keep every request reachable until the
// run ends. So the pool listens once per distinct signal and hands each request its own child signal.

export interface FollowedSignal {
  /** Aborts, with the parent's reason, when the parent does. */
  readonly signal: AbortSignal;
  /** Stop following; call once the request has settled. */
  release(): void;
}

interface Followers {
  children: Set<AbortController>;
  onAbort: () => void;
}

export class AbortFanout {
  readonly #followers = new Map<AbortSignal, Followers>();

  /** Signals currently listened to (for tests: it drops to 0 when every request has settled). */
  get parentCount(): number {
    return this.#followers.size;
  }

  follow(parent: AbortSignal | undefined): FollowedSignal {
    const child = new AbortController();
    if (!parent || parent.aborted) {
      if (parent) child.abort(parent.reason);
      return { signal: child.signal, release: () => {} };
    }
    let followers = this.#followers.get(parent);
    if (!followers) {
      const children = new Set<AbortController>();
      const onAbort = (): void => {
        this.#followers.delete(parent);
        for (const c of children) c.abort(parent.reason);
      };
      followers = { children, onAbort };
      this.#followers.set(parent, followers);
      parent.addEventListener('abort', onAbort, { once: true });
    }
    const { children, onAbort } = followers;
    children.add(child);
    return {
      signal: child.signal,
      release: () => {
        children.delete(child);
        if (children.size === 0 && this.#followers.get(parent) === followers) {
          this.#followers.delete(parent);
          parent.removeEventListener('abort', onAbort);
        }
      },
    };
  }
}
