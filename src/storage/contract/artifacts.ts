import { randomBytes, randomUUID } from 'node:crypto'
import type { ArtifactModel, Storage } from '../ports.js'
import type { ContractContext } from './context.js'
import { rejectionCode, sleep } from './context.js'

/** A fresh secret-looking value, made at test time. */
const secret = (): string => randomBytes(32).toString('base64url')

export function artifactContract(ctx: ContractContext): void {
  const { describe, it, expect, storage, open, options } = ctx
  const artifacts = () => storage().artifacts

  describe('oauth artifacts', () => {
    it('upserts and finds a payload, putting the id back as jti', async () => {
      const id = secret()
      const grantId = randomUUID()
      const payload = { kind: 'AccessToken', jti: id, grantId, scope: 'memories:read', exp: 1 }
      await artifacts().upsert('AccessToken', id, payload, 60)
      const found = await artifacts().find('AccessToken', id)
      expect(found?.payload).toEqual(payload)
      expect(found?.consumedAt).toBeUndefined()
      expect(found?.expiresAt).toBeGreaterThan(Date.now() + 55_000)
      expect(found?.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000)
      // Keyed by model too: the same id under another model is another artifact.
      expect(await artifacts().find('RefreshToken', id)).toBeUndefined()
      expect(await artifacts().find('AccessToken', secret())).toBeUndefined()
    })

    it('replaces on upsert, and keeps an artifact without expiry forever', async () => {
      const id = randomUUID()
      await artifacts().upsert('Client', id, { client_id: id, v: 1 })
      await artifacts().upsert('Client', id, { client_id: id, v: 2 })
      const found = await artifacts().find('Client', id)
      expect(found).toEqual({
        payload: { client_id: id, v: 2 },
        expiresAt: undefined,
        consumedAt: undefined,
      })
    })

    // Needs a second way into the table (a plain SQL connection beside the store): given for the
    // SQLite file and the main PostgreSQL suite; `:memory:` has no second connection, and the
    // other PostgreSQL variants use the same table definition, so they skip it.
    it.runIf(options.rawArtifactRows !== undefined)(
      'stores token and code ids, uids and user codes only as hashes',
      async () => {
        const ids = new Map<ArtifactModel, string>()
        const models: ArtifactModel[] = [
          'AccessToken',
          'AuthorizationCode',
          'RefreshToken',
          'ClientCredentials',
          'DeviceCode',
          'RegistrationAccessToken',
          'InitialAccessToken',
        ]
        const uid = secret()
        const userCode = secret()
        for (const model of models) {
          const id = secret()
          ids.set(model, id)
          await artifacts().upsert(model, id, { jti: id, kind: model, grantId: 'g' }, 60)
        }
        const sessionId = secret()
        await artifacts().upsert('Session', sessionId, { jti: sessionId, uid }, 60)
        await artifacts().upsert('DeviceCode', secret(), { userCode }, 60)
        const dump = JSON.stringify(await options.rawArtifactRows?.())
        for (const [model, id] of ids) {
          expect(dump, model).not.toContain(id)
          expect((await artifacts().find(model, id))?.payload.jti).toBe(id)
        }
        expect(dump).toContain('"id_hash"')
        // Lookups by uid and user code work through their hashes.
        expect((await artifacts().findByUid('Session', uid))?.payload.jti).toBe(sessionId)
        expect((await artifacts().findByUserCode('DeviceCode', userCode))?.payload.userCode).toBe(
          userCode,
        )
      },
    )

    it('never returns an expired artifact, from any lookup', async () => {
      const id = secret()
      const uid = secret()
      const userCode = secret()
      await artifacts().upsert('DeviceCode', id, { uid, userCode }, 0.05)
      expect(await artifacts().find('DeviceCode', id)).toBeDefined()
      await sleep(80)
      expect(await artifacts().find('DeviceCode', id)).toBeUndefined()
      expect(await artifacts().findByUid('DeviceCode', uid)).toBeUndefined()
      expect(await artifacts().findByUserCode('DeviceCode', userCode)).toBeUndefined()
      expect(await artifacts().consume('DeviceCode', id)).toBe('not_found')
    })

    it('findByUid and findByUserCode find by their value, within the model', async () => {
      const sessionId = secret()
      const uid = secret()
      await artifacts().upsert('Session', sessionId, { jti: sessionId, uid, accountId: 'a' }, 60)
      expect((await artifacts().findByUid('Session', uid))?.payload).toEqual({
        jti: sessionId,
        uid,
        accountId: 'a',
      })
      expect(await artifacts().findByUid('Session', secret())).toBeUndefined()
      expect(await artifacts().findByUid('Interaction', uid)).toBeUndefined()

      const deviceCode = secret()
      const userCode = 'WDJB-MJHT'
      const tagged = `${userCode}-${randomUUID()}`
      await artifacts().upsert('DeviceCode', deviceCode, { userCode: tagged, grantId: 'g' }, 60)
      const found = await artifacts().findByUserCode('DeviceCode', tagged)
      expect(found?.payload.userCode).toBe(tagged)
      expect(await artifacts().findByUserCode('DeviceCode', userCode)).toBeUndefined()
    })

    it('consume marks once and reports repeats', async () => {
      const id = secret()
      await artifacts().upsert('AuthorizationCode', id, { grantId: randomUUID() }, 60)
      expect(await artifacts().consume('AuthorizationCode', id)).toBe('consumed')
      const consumed = await artifacts().find('AuthorizationCode', id)
      expect(consumed?.consumedAt).toBeGreaterThan(Date.now() - 10_000)
      expect(await artifacts().consume('AuthorizationCode', id)).toBe('already_consumed')
      expect(await artifacts().consume('AuthorizationCode', secret())).toBe('not_found')
      // Re-saving the payload never un-consumes it.
      await artifacts().upsert('AuthorizationCode', id, { grantId: 'x' }, 60)
      expect((await artifacts().find('AuthorizationCode', id))?.consumedAt).toBe(
        consumed?.consumedAt,
      )
    })

    it('consume is atomic: of 50 parallel consumes, exactly one is the first', async () => {
      const id = secret()
      await artifacts().upsert('RefreshToken', id, { grantId: randomUUID() }, 60)
      // Persistent backends race over separate handles (separate connections / pools).
      const handles: Storage[] = [storage()]
      if (options.persistent === true) {
        for (let i = 0; i < 4; i++) handles.push(await open())
      }
      try {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            handles[i % handles.length]!.artifacts.consume('RefreshToken', id),
          ),
        )
        expect(results.filter((r) => r === 'consumed')).toHaveLength(1)
        expect(results.filter((r) => r === 'already_consumed')).toHaveLength(49)
      } finally {
        await Promise.all(handles.slice(1).map((handle) => handle.close()))
      }
    })

    it('destroy removes the artifact and nothing else', async () => {
      const [a, b] = [randomUUID(), randomUUID()]
      await artifacts().upsert('Grant', a, { accountId: 'x' }, 60)
      await artifacts().upsert('Grant', b, { accountId: 'y' }, 60)
      await artifacts().destroy('Grant', a)
      await artifacts().destroy('Grant', randomUUID())
      expect(await artifacts().find('Grant', a)).toBeUndefined()
      expect(await artifacts().find('Grant', b)).toBeDefined()
    })

    it('revokeByGrantId removes every artifact of the grant and nothing else', async () => {
      const grantId = randomUUID()
      const otherGrant = randomUUID()
      const mine: Array<[ArtifactModel, string]> = [
        ['AccessToken', secret()],
        ['AccessToken', secret()],
        ['RefreshToken', secret()],
        ['AuthorizationCode', secret()],
        ['DeviceCode', secret()],
      ]
      const others: Array<[ArtifactModel, string]> = [
        ['AccessToken', secret()],
        ['RefreshToken', secret()],
      ]
      for (const [model, id] of mine) await artifacts().upsert(model, id, { grantId }, 60)
      for (const [model, id] of others) {
        await artifacts().upsert(model, id, { grantId: otherGrant }, 60)
      }
      // The Grant itself and models that are not grant-bound are destroyed by id, not here.
      await artifacts().upsert('Grant', grantId, { jti: grantId, accountId: 'a' }, 60)
      const sessionId = secret()
      await artifacts().upsert('Interaction', sessionId, { grantId }, 60)

      expect(await artifacts().revokeByGrantId(grantId, 'AccessToken')).toBe(2)
      expect(await artifacts().find('RefreshToken', mine[2]![1])).toBeDefined()
      expect(await artifacts().revokeByGrantId(grantId)).toBe(3)
      for (const [model, id] of mine) expect(await artifacts().find(model, id)).toBeUndefined()
      for (const [model, id] of others) expect(await artifacts().find(model, id)).toBeDefined()
      expect(await artifacts().find('Grant', grantId)).toBeDefined()
      expect(await artifacts().find('Interaction', sessionId)).toBeDefined()
      expect(await artifacts().revokeByGrantId(grantId)).toBe(0)
    })

    it('sweepExpired deletes expired artifacts up to the limit, and only those', async () => {
      const expired = Array.from({ length: 5 }, () => secret())
      const alive = secret()
      const forever = secret()
      for (const id of expired) await artifacts().upsert('Interaction', id, { n: 1 }, 0.01)
      await artifacts().upsert('Interaction', alive, { n: 2 }, 3600)
      await artifacts().upsert('Interaction', forever, { n: 3 })
      await sleep(30)
      const now = new Date()
      // Other tests' expired rows may be swept too: count ours by what is left.
      let swept = 0
      for (let round = 0; round < 1000; round++) {
        const count = await artifacts().sweepExpired(now, 2)
        expect(count).toBeLessThanOrEqual(2)
        swept += count
        if (count === 0) break
      }
      expect(swept).toBeGreaterThanOrEqual(5)
      expect(await artifacts().sweepExpired(now, 100)).toBe(0)
      expect(await artifacts().find('Interaction', alive)).toBeDefined()
      expect(await artifacts().find('Interaction', forever)).toBeDefined()
      // A sweep "in the future" takes the ones that expire by then, never the eternal one.
      expect(
        await artifacts().sweepExpired(new Date(Date.now() + 2 * 3600_000), 1_000_000),
      ).toBeGreaterThanOrEqual(1)
      expect(await artifacts().find('Interaction', alive)).toBeUndefined()
      expect(await artifacts().find('Interaction', forever)).toBeDefined()
    })

    it('refuses unknown models, empty ids and bad limits', async () => {
      expect(await rejectionCode(artifacts().upsert('Nope' as ArtifactModel, 'x', {}, 1))).toBe(
        'invalid_input',
      )
      expect(await rejectionCode(artifacts().find('AccessToken', ''))).toBe('invalid_input')
      expect(await rejectionCode(artifacts().upsert('AccessToken', 'x', {}, -1))).toBe(
        'invalid_input',
      )
      expect(await rejectionCode(artifacts().sweepExpired(new Date(), 0))).toBe('invalid_input')
    })
  })
}
