/** How often, at most, an insert sweeps out every expired entry. */
export const SWEEP_INTERVAL_MS = 60_000

/**
 * A bounded map whose entries expire: the one cache shape the verifiers and the authorization
 * server's client cache share. The verifiers' keys are SHA-256 digests of tokens, never tokens
 * (TOK-7). A `Map` keeps insertion order, so re-inserting on
 * every hit makes its first key the least recently used one.
 *
 * Memory is bounded twice: never more than `maxEntries` entries (the least recently used go
 * first), and expired entries do not linger: a lookup drops the expired entry it finds, and an
 * insert sweeps out every expired entry when the last sweep is {@link SWEEP_INTERVAL_MS} old.
 * The sweep is O(n) at most once a minute, so an insert stays O(1) amortised. No timer: nothing
 * to stop, nothing keeping the process alive.
 */
export class ExpiringLru<V> {
  readonly #entries = new Map<string, { value: V; expiresAtMs: number }>()
  readonly #maxEntries: number
  #nextSweepMs = Number.NEGATIVE_INFINITY

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`maxEntries must be a positive integer, got ${maxEntries}`)
    }
    this.#maxEntries = maxEntries
  }

  /** The live value under `key` at `nowMs`, marked as most recently used; expired entries go. */
  get(key: string, nowMs: number): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#entries.delete(key)
    if (nowMs >= entry.expiresAtMs) return undefined
    this.#entries.set(key, entry)
    return entry.value
  }

  /**
   * Stores `value` until `expiresAtMs` (exclusive), evicting the least recently used entries;
   * `nowMs` is the current time, for the periodic sweep of expired entries.
   */
  set(key: string, value: V, expiresAtMs: number, nowMs: number): void {
    if (nowMs >= this.#nextSweepMs) this.#sweep(nowMs)
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAtMs })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) break
      this.#entries.delete(oldest.value)
    }
  }

  #sweep(nowMs: number): void {
    this.#nextSweepMs = nowMs + SWEEP_INTERVAL_MS
    for (const [key, entry] of this.#entries) {
      if (nowMs >= entry.expiresAtMs) this.#entries.delete(key)
    }
  }

  /** Forgets `key` (its value changed elsewhere). */
  delete(key: string): void {
    this.#entries.delete(key)
  }

  clear(): void {
    this.#entries.clear()
  }

  /** Stored entries, including expired ones not swept out yet. */
  get size(): number {
    return this.#entries.size
  }
}
