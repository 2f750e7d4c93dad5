/**
 * A bounded map whose entries expire: the one cache shape the verifiers share. Keys are SHA-256
 * digests of tokens, never tokens (TOK-7). A `Map` keeps insertion order, so re-inserting on
 * every hit makes its first key the least recently used one.
 */
export class ExpiringLru<V> {
  readonly #entries = new Map<string, { value: V; expiresAtMs: number }>()
  readonly #maxEntries: number

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

  /** Stores `value` until `expiresAtMs` (exclusive), evicting the least recently used entries. */
  set(key: string, value: V, expiresAtMs: number): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAtMs })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) break
      this.#entries.delete(oldest.value)
    }
  }

  clear(): void {
    this.#entries.clear()
  }

  get size(): number {
    return this.#entries.size
  }
}
