import { randomBytes, randomUUID } from 'node:crypto'
import type { Storage, StoredSigningKey } from '../ports.js'
import type { ContractContext } from './context.js'
import { rejectionCode } from './context.js'

/** A stored key as the authorization server would make it (the store never decrypts). */
function signingKey(overrides: Partial<StoredSigningKey> = {}): StoredSigningKey {
  const now = Date.now()
  return {
    kid: randomUUID(),
    alg: 'ES256',
    state: 'active',
    publicJwk: { kty: 'EC', crv: 'P-256', x: randomBytes(32).toString('base64url'), y: 'y' },
    encryptedPrivateKey: `v1.${randomBytes(60).toString('base64url')}`,
    createdAt: now,
    activatedAt: now,
    ...overrides,
  }
}

export function signingKeyContract(ctx: ContractContext): void {
  const { describe, it, expect, storage, open, options } = ctx
  const keys = () => storage().signingKeys

  /** Retires whatever key is active, so a test starts with none (the table is shared). */
  const clearActive = async (store = keys()): Promise<void> => {
    for (const key of await store.list()) {
      if (key.state === 'active') await store.setState(key.kid, 'retired', Date.now())
    }
  }

  describe('oauth signing keys', () => {
    it('inserts, gets and lists a key as given', async () => {
      await clearActive()
      const key = signingKey({ alg: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' } })
      expect(await keys().insert(key)).toBe(true)
      expect(await keys().get(key.kid)).toEqual(key)
      expect(await keys().get(randomUUID())).toBeUndefined()
      const listed = await keys().list()
      expect(listed[0]).toEqual(key)
      expect(listed.filter((k) => k.state === 'active')).toHaveLength(1)
    })

    it('refuses a second active key and a duplicate kid, writing nothing', async () => {
      await clearActive()
      const first = signingKey()
      expect(await keys().insert(first)).toBe(true)
      const second = signingKey()
      expect(await keys().insert(second)).toBe(false)
      expect(await keys().get(second.kid)).toBeUndefined()
      const again = signingKey({ kid: first.kid, state: 'retired', alg: 'EdDSA' })
      expect(await keys().insert(again)).toBe(false)
      expect(await keys().get(first.kid)).toEqual(first)
      // A non-active key goes in beside the active one.
      const old = signingKey({ state: 'retiring', retireAfter: Date.now() + 1000 })
      expect(await keys().insert(old)).toBe(true)
    })

    it('lists active first, then retiring, then retired, newest first', async () => {
      await clearActive()
      const t = Date.now()
      const retiring = signingKey({ state: 'retiring', activatedAt: t - 10, retireAfter: t })
      const retired = signingKey({ state: 'retired', activatedAt: t + 10, retiredAt: t })
      const active = signingKey({ activatedAt: t - 100 })
      for (const key of [retiring, retired, active]) expect(await keys().insert(key)).toBe(true)
      const listed = (await keys().list()).map((k) => k.kid)
      const mine = listed.filter((kid) => [retiring, retired, active].some((k) => k.kid === kid))
      expect(mine).toEqual([active.kid, retiring.kid, retired.kid])
      expect(listed[0]).toBe(active.kid)
    })

    it('moves keys forward only: active → retiring → retired', async () => {
      await clearActive()
      const key = signingKey()
      await keys().insert(key)
      const t = Date.now()
      expect(await keys().setState(key.kid, 'retiring', t + 5000)).toBe(true)
      expect(await keys().get(key.kid)).toEqual({
        ...key,
        state: 'retiring',
        retireAfter: t + 5000,
      })
      expect(await keys().setState(key.kid, 'retiring', t)).toBe(false)
      expect(await keys().setState(key.kid, 'retired', t + 6000)).toBe(true)
      expect(await keys().get(key.kid)).toMatchObject({ state: 'retired', retiredAt: t + 6000 })
      expect(await keys().setState(key.kid, 'retired', t)).toBe(false)
      expect(await keys().setState(randomUUID(), 'retiring', t)).toBe(false)
      expect(await rejectionCode(keys().setState(key.kid, 'active' as 'retired', t))).toBe(
        'invalid_input',
      )
      // With no active key left, a new one can be inserted.
      expect(await keys().insert(signingKey())).toBe(true)
    })

    it('rejects malformed keys', async () => {
      expect(await rejectionCode(keys().insert(signingKey({ kid: '' })))).toBe('invalid_input')
      expect(await rejectionCode(keys().insert(signingKey({ alg: 'RS256' as 'ES256' })))).toBe(
        'invalid_input',
      )
      expect(
        await rejectionCode(keys().insert(signingKey({ publicJwk: { kty: 'EC', d: 'secret' } }))),
      ).toBe('invalid_input')
      expect(await rejectionCode(keys().insert(signingKey({ encryptedPrivateKey: '' })))).toBe(
        'invalid_input',
      )
    })

    it('rotates in one step, and only from the key that is active', async () => {
      await clearActive()
      const first = signingKey()
      await keys().insert(first)
      const second = signingKey()
      const retireAfter = Date.now() + 60_000
      expect(await keys().rotate(second, first.kid, retireAfter)).toBe(true)
      expect(await keys().get(first.kid)).toMatchObject({ state: 'retiring', retireAfter })
      expect(await keys().get(second.kid)).toEqual(second)
      // A rotation from a key that is no longer active changes nothing.
      const stale = signingKey()
      expect(await keys().rotate(stale, first.kid, retireAfter)).toBe(false)
      expect(await keys().get(stale.kid)).toBeUndefined()
      expect(await keys().get(second.kid)).toMatchObject({ state: 'active' })
    })

    // Separate handles on one database exist only for persistent backends (`:memory:` skips).
    it.runIf(options.persistent === true)(
      'of concurrent first inserts over separate handles, exactly one becomes active',
      async () => {
        await clearActive()
        const handles: Storage[] = [storage()]
        for (let i = 0; i < 3; i++) handles.push(await open())
        try {
          const candidates = handles.map(() => signingKey())
          const results = await Promise.all(
            handles.map((h, i) => h.signingKeys.insert(candidates[i]!)),
          )
          expect(results.filter(Boolean)).toHaveLength(1)
          const active = (await keys().list()).filter((k) => k.state === 'active')
          expect(active.map((k) => k.kid)).toEqual([candidates[results.indexOf(true)]!.kid])
        } finally {
          await Promise.all(handles.slice(1).map((h) => h.close()))
        }
      },
    )

    // SQLite handles in one process would block each other's open transactions (busy wait on
    // one thread); two instances share a database only on PostgreSQL.
    it.runIf(options.persistent === true)(
      'of concurrent rotations from one key, exactly one wins',
      async (ctx) => {
        if (storage().capabilities.dialect !== 'postgresql') ctx.skip()
        await clearActive()
        const first = signingKey()
        await keys().insert(first)
        const handles: Storage[] = [storage()]
        for (let i = 0; i < 3; i++) handles.push(await open())
        try {
          const results = await Promise.all(
            handles.map((h) => h.signingKeys.rotate(signingKey(), first.kid, Date.now())),
          )
          expect(results.filter(Boolean)).toHaveLength(1)
          const active = (await keys().list()).filter((k) => k.state === 'active')
          expect(active).toHaveLength(1)
        } finally {
          await Promise.all(handles.slice(1).map((h) => h.close()))
        }
      },
    )
  })
}
