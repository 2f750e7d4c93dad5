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
})
