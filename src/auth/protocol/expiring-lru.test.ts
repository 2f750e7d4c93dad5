import { describe, expect, it } from 'vitest'
import { ExpiringLru, SWEEP_INTERVAL_MS } from './expiring-lru.js'

describe('ExpiringLru', () => {
  it('is bounded: the least recently used entry goes first', () => {
    const lru = new ExpiringLru<number>(2)
    lru.set('a', 1, 1000, 0)
    lru.set('b', 2, 1000, 0)
    expect(lru.get('a', 0)).toBe(1)
    lru.set('c', 3, 1000, 0)
    expect([lru.get('a', 0), lru.get('b', 0), lru.get('c', 0), lru.size]).toEqual([
      1,
      undefined,
      3,
      2,
    ])
  })

  it('an entry is never returned at or past its expiry', () => {
    const lru = new ExpiringLru<number>(10)
    lru.set('a', 1, 1000, 0)
    expect(lru.get('a', 999)).toBe(1)
    expect(lru.get('a', 1000)).toBeUndefined()
    expect(lru.size).toBe(0)
  })

  it('an insert sweeps out every expired entry, at most once per sweep interval', () => {
    const lru = new ExpiringLru<number>(1000)
    for (let i = 0; i < 100; i += 1) lru.set(`short-${i}`, i, 1000, 0)
    lru.set('long', 1, 10 * SWEEP_INTERVAL_MS, 0)
    expect(lru.size).toBe(101)
    // Expired, but no sweep is due yet: the work per insert stays O(1) most of the time.
    lru.set('other', 2, 10 * SWEEP_INTERVAL_MS, 2000)
    expect(lru.size).toBe(102)
    lru.set('late', 3, 10 * SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS)
    expect(lru.size).toBe(3)
  })

  it('delete forgets one key and leaves the others', () => {
    const lru = new ExpiringLru<number>(10)
    lru.set('a', 1, 1000, 0)
    lru.set('b', 2, 1000, 0)
    lru.delete('a')
    lru.delete('missing')
    expect(lru.get('a', 1)).toBeUndefined()
    expect(lru.get('b', 1)).toBe(2)
    expect(lru.size).toBe(1)
  })

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new ExpiringLru(0)).toThrow(TypeError)
  })
})
