// The requests sent through one endpoint in the last window, oldest first: when each was sent and what it
// cost (requests, and tokens: its reservation until its usage is known). A server counting its limits over a
// sliding window frees what each of them used one window after it arrived; this log says when that is.
//
// The log is as long as the number of requests sent in one window (a few hundred at 600 RPM).

export interface SentEntry {
  /** Order of sends (0, 1, 2, …). */
  readonly seq: number;
  /** Send time; never earlier than the entry before it, even when the clock steps back. */
  readonly at: number;
  readonly requests: number;
  tokens: number;
  /** Whether it has left the window (and the log). */
  expired: boolean;
  /** False once it failed: a server may not count a request it refused or never finished reading. */
  counted: boolean;
}

export class SentLog {
  readonly windowMs: number;
  #entries: SentEntry[] = [];
  #head = 0;
  #seq = 0;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number) {
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError(`SentLog windowMs must be a positive number, got ${windowMs}`);
    this.windowMs = windowMs;
  }

  add(requests: number, tokens: number, now: number): SentEntry {
    const at = Math.max(now, this.#lastAt);
    this.#lastAt = at;
    const entry: SentEntry = { seq: this.#seq++, at, requests, tokens, expired: false, counted: true };
    this.#entries.push(entry);
    return entry;
  }

  /** When `entry` leaves the window. */
  leavesAt(entry: SentEntry): number {
    return entry.at + this.windowMs;
  }

  /** Entries still in the window, oldest first. */
  *entries(): IterableIterator<SentEntry> {
    for (let i = this.#head; i < this.#entries.length; i++) yield this.#entries[i] as SentEntry;
  }

  /** Entries still in the window sent after the one numbered `seq`, oldest first. */
  *sentAfter(seq: number): IterableIterator<SentEntry> {
    const first = this.#entries[0];
    if (!first) return;
    // Sequence numbers are consecutive along the array, so the suffix starts at a known index.
    for (let i = Math.max(this.#head, seq - first.seq + 1); i < this.#entries.length; i++) yield this.#entries[i] as SentEntry;
  }

  /** Drops the entries that have left the window by `now`, oldest first, telling `onLeave` of each. */
  expire(now: number, onLeave: (entry: SentEntry) => void): void {
    while (this.#head < this.#entries.length) {
      const entry = this.#entries[this.#head] as SentEntry;
      if (this.leavesAt(entry) > now) break;
      entry.expired = true;
      this.#head++;
      onLeave(entry);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
