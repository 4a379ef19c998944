// A timer that any of several abort signals can cut short, without leaving listeners behind
// on signals that live for a whole run.

export function sleep(ms: number, signals: ReadonlyArray<AbortSignal | undefined> = []): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const live = signals.filter((s): s is AbortSignal => s !== undefined);
    const aborted = live.find((s) => s.aborted);
    if (aborted) {
      reject(aborted.reason);
      return;
    }
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', onAbort);
    };
    function onAbort(this: AbortSignal): void {
      cleanup();
      reject(this.reason);
    }
    const timer = setTimeout(() => {
      cleanup();
      resolve();
    }, Math.max(0, ms));
    for (const s of live) s.addEventListener('abort', onAbort, { once: true });
  });
}
