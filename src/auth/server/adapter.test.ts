import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import type { ArtifactStore, ConsumeResult, StoredArtifact } from '../../storage/ports.js'
import { createAdapterFactory } from './adapter.js'
import { InvalidGrantError } from './grant-error.js'

// The translation between oidc-provider's adapter calls and the ArtifactStore port. The real
// engine on a real store runs in test/integration/oauth-artifact-adapter.test.ts.

function fakeStore(found: StoredArtifact | undefined, consumed: ConsumeResult = 'consumed') {
  return {
    upsert: vi.fn(async () => undefined),
    find: vi.fn(async () => found),
    findByUid: vi.fn(async () => found),
    findByUserCode: vi.fn(async () => found),
    consume: vi.fn(async () => consumed),
    destroy: vi.fn(async () => undefined),
    revokeByGrantId: vi.fn(async () => 3),
    sweepExpired: vi.fn(async () => 0),
    list: vi.fn(async () => []),
  } satisfies ArtifactStore
}

const id = () => randomBytes(32).toString('base64url')

describe('createAdapterFactory', () => {
  it('passes each call to the store with the model of the instance', async () => {
    const store = fakeStore(undefined)
    const Adapter = createAdapterFactory(store)
    const adapter = new Adapter('RefreshToken')
    const value = id()
    await adapter.upsert(value, { jti: value, grantId: 'g', consumed: 12 }, 60)
    expect(store.upsert).toHaveBeenCalledWith(
      'RefreshToken',
      value,
      { jti: value, grantId: 'g' },
      60,
    )
    await adapter.destroy(value)
    expect(store.destroy).toHaveBeenCalledWith('RefreshToken', value)
    await adapter.revokeByGrantId('g')
    expect(store.revokeByGrantId).toHaveBeenCalledWith('g', 'RefreshToken')
    await adapter.findByUid('u')
    expect(store.findByUid).toHaveBeenCalledWith('RefreshToken', 'u')
    await adapter.findByUserCode('c')
    expect(store.findByUserCode).toHaveBeenCalledWith('RefreshToken', 'c')
  })

  it('refuses a model oidc-provider does not have', () => {
    const Adapter = createAdapterFactory(fakeStore(undefined))
    expect(() => new Adapter('Nope')).toThrow('unknown model Nope')
  })

  it('reports consumption as the payload’s consumed, in epoch seconds', async () => {
    const payload = { grantId: 'g' }
    const Adapter = createAdapterFactory(
      fakeStore({ payload, expiresAt: undefined, consumedAt: 1_700_000_000_999 }),
    )
    expect(await new Adapter('AuthorizationCode').find(id())).toEqual({
      grantId: 'g',
      consumed: 1_700_000_000,
    })
    const fresh = createAdapterFactory(
      fakeStore({ payload, expiresAt: undefined, consumedAt: undefined }),
    )
    expect(await new fresh('AuthorizationCode').find(id())).toEqual({ grantId: 'g' })
    expect(await new (createAdapterFactory(fakeStore(undefined)))('Grant').find(id())).toBe(
      undefined,
    )
  })

  it('consume: the first proceeds; a lost race or a vanished artifact is invalid_grant', async () => {
    const first = createAdapterFactory(fakeStore(undefined, 'consumed'))
    await expect(new first('AuthorizationCode').consume(id())).resolves.toBeUndefined()

    const stored = { payload: { grantId: 'g' }, expiresAt: undefined, consumedAt: 1000 }
    const lost = createAdapterFactory(fakeStore(stored, 'already_consumed'))
    const error = await new lost('AuthorizationCode').consume(id()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidGrantError)
    expect(error).toMatchObject({ message: 'invalid_grant', statusCode: 400, expose: true })

    const gone = createAdapterFactory(fakeStore(undefined, 'not_found'))
    await expect(new gone('RefreshToken').consume(id())).rejects.toBeInstanceOf(InvalidGrantError)
  })

  it('consume: a lost race goes to onAlreadyConsumed when given (the refresh grace window)', async () => {
    const stored = { payload: { grantId: 'g' }, expiresAt: undefined, consumedAt: 5000 }
    const onAlreadyConsumed = vi.fn(async () => undefined)
    const Adapter = createAdapterFactory(fakeStore(stored, 'already_consumed'), {
      onAlreadyConsumed,
    })
    await new Adapter('RefreshToken').consume(id())
    expect(onAlreadyConsumed).toHaveBeenCalledWith('RefreshToken', { grantId: 'g', consumed: 5 })
  })

  describe('client cache', () => {
    const client = { client_id: 'c1', redirect_uris: ['https://app.example/cb'] }
    const cached = (ttl = 5000) => {
      const store = fakeStore({ payload: client, expiresAt: undefined, consumedAt: undefined })
      let now = 1_000_000
      const Adapter = createAdapterFactory(store, { clientCacheMs: ttl, now: () => now })
      return { store, adapter: new Adapter('Client'), later: (ms: number) => (now += ms), Adapter }
    }

    it('answers a found client from memory until the entry expires', async () => {
      const { store, adapter, later } = cached()
      expect(await adapter.find('c1')).toEqual(client)
      expect(await adapter.find('c1')).toEqual(client)
      expect(store.find).toHaveBeenCalledTimes(1)
      later(4999)
      await adapter.find('c1')
      expect(store.find).toHaveBeenCalledTimes(1)
      later(1)
      await adapter.find('c1')
      expect(store.find).toHaveBeenCalledTimes(2)
    })

    it('forgets a client the adapter updates or deletes, for every adapter instance', async () => {
      const { store, adapter, Adapter } = cached()
      await adapter.find('c1')
      await new Adapter('Client').upsert('c1', { ...client, client_name: 'renamed' })
      await adapter.find('c1')
      expect(store.find).toHaveBeenCalledTimes(2)
      await adapter.destroy('c1')
      await adapter.find('c1')
      expect(store.find).toHaveBeenCalledTimes(3)
    })

    it('never keeps a miss: a client registered elsewhere is found at once', async () => {
      const store = fakeStore(undefined)
      const adapter = new (createAdapterFactory(store, { clientCacheMs: 5000 }))('Client')
      expect(await adapter.find('c1')).toBeUndefined()
      expect(await adapter.find('c1')).toBeUndefined()
      expect(store.find).toHaveBeenCalledTimes(2)
    })

    it('hands out copies: a caller changing its payload does not change the cache', async () => {
      const { adapter } = cached()
      await adapter.find('c1')
      const first = (await adapter.find('c1')) as { redirect_uris: string[] }
      first.redirect_uris.push('https://evil.example/cb')
      expect(await adapter.find('c1')).toEqual({
        client_id: 'c1',
        redirect_uris: ['https://app.example/cb'],
      })
    })

    it('caches clients only, and nothing without a TTL', async () => {
      const { store, Adapter } = cached()
      const grants = new Adapter('Grant')
      await grants.find('g')
      await grants.find('g')
      expect(store.find).toHaveBeenCalledTimes(2)
      const plain = fakeStore({ payload: client, expiresAt: undefined, consumedAt: undefined })
      const uncached = new (createAdapterFactory(plain))('Client')
      await uncached.find('c1')
      await uncached.find('c1')
      expect(plain.find).toHaveBeenCalledTimes(2)
    })

    it('keeps at most clientCacheSize clients, the least recently used going first', async () => {
      const store = fakeStore({ payload: client, expiresAt: undefined, consumedAt: undefined })
      const Adapter = createAdapterFactory(store, { clientCacheMs: 5000, clientCacheSize: 2 })
      const adapter = new Adapter('Client')
      await adapter.find('a')
      await adapter.find('b')
      await adapter.find('c') // evicts a
      await adapter.find('b')
      expect(store.find).toHaveBeenCalledTimes(3)
      await adapter.find('a')
      expect(store.find).toHaveBeenCalledTimes(4)
    })
  })
})
