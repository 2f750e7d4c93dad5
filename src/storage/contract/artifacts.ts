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

    describe('list', () => {
      const grant = (accountId: string, clientId: string, iat: number) => {
        const id = randomUUID()
        return { id, payload: { jti: id, kind: 'Grant', accountId, clientId, iat, exp: iat + 60 } }
      }

      it('lists one model newest first (by iat), filtered by account and client', async () => {
        const [account, other] = [randomUUID(), randomUUID()]
        const [c1, c2] = [`c1-${randomUUID()}`, `c2-${randomUUID()}`]
        const base = 1_700_000_000
        const mine = [
          grant(account, c1, base + 3),
          grant(account, c2, base + 1),
          grant(account, c1, base + 5),
          grant(account, c2, base + 4),
          grant(account, c1, base + 2),
        ]
        for (const g of [...mine, grant(other, c1, base + 9)]) {
          await artifacts().upsert('Grant', g.id, g.payload, 3600)
        }
        // Another model's artifact of the same account is not a grant.
        await artifacts().upsert('Session', secret(), { accountId: account, iat: base + 9 }, 60)
        const ids = (list: { payload: Record<string, unknown> }[]) => list.map((a) => a.payload.jti)
        const newestFirst = [...mine].sort((a, b) => b.payload.iat - a.payload.iat)

        const byAccount = await artifacts().list('Grant', { accountId: account })
        expect(ids(byAccount)).toEqual(newestFirst.map((g) => g.id))
        expect(byAccount[0]).toEqual({
          payload: newestFirst[0]!.payload,
          expiresAt: expect.any(Number),
          consumedAt: undefined,
        })
        // The other account's grant of c1 is the newest.
        expect(ids(await artifacts().list('Grant', { clientId: c1 }))).toEqual([
          expect.any(String),
          mine[2]!.id,
          mine[0]!.id,
          mine[4]!.id,
        ])
        expect(ids(await artifacts().list('Grant', { accountId: account, clientId: c2 }))).toEqual([
          mine[3]!.id,
          mine[1]!.id,
        ])
        expect(await artifacts().list('Grant', { accountId: randomUUID() })).toEqual([])
      })

      it('applies the limit after filtering', async () => {
        const account = randomUUID()
        const client = randomUUID()
        const base = 1_800_000_000
        const wanted = [grant(account, client, base + 1), grant(account, client, base + 2)]
        // Newer grants of other accounts: a limit applied before the filter would see only them.
        for (let i = 0; i < 5; i++) {
          const g = grant(randomUUID(), client, base + 100 + i)
          await artifacts().upsert('Grant', g.id, g.payload, 3600)
        }
        for (const g of wanted) await artifacts().upsert('Grant', g.id, g.payload, 3600)
        const listed = await artifacts().list('Grant', { accountId: account, limit: 1 })
        expect(listed.map((a) => a.payload.jti)).toEqual([wanted[1]!.id])
        expect(await artifacts().list('Grant', { clientId: client, limit: 6 })).toHaveLength(6)
        expect(await artifacts().list('Grant', { clientId: client, limit: 1000 })).toHaveLength(7)
      })

      it('returns at most 100 when no limit is given', async () => {
        const account = randomUUID()
        for (let i = 0; i < 101; i++) {
          const g = grant(account, 'c', 1_700_000_000 + i)
          await artifacts().upsert('Grant', g.id, g.payload, 3600)
        }
        const listed = await artifacts().list('Grant', { accountId: account })
        expect(listed).toHaveLength(100)
        // The oldest one is the one left out.
        expect(listed.at(-1)?.payload.iat).toBe(1_700_000_001)
      })

      it('matches filter values exactly: strings only, case and wildcards literal', async () => {
        const token = randomUUID()
        const exact = `Ab%_${token}`
        const payloads: Record<string, unknown>[] = [
          { accountId: exact, n: 1 },
          { accountId: exact.toLowerCase(), n: 2 },
          { accountId: `Ab__${token}`, n: 3 },
          { accountId: `xAb%_${token}`, n: 4 },
          { nested: { accountId: exact }, n: 5 },
          { accountId: [exact], n: 6 },
        ]
        for (const payload of payloads) {
          await artifacts().upsert('Grant', randomUUID(), { ...payload, iat: 1 }, 60)
        }
        const numeric = String(Date.now())
        await artifacts().upsert('Grant', randomUUID(), { accountId: Number(numeric), n: 7 }, 60)
        const found = await artifacts().list('Grant', { accountId: exact })
        expect(found.map((a) => a.payload.n)).toEqual([1])
        expect(await artifacts().list('Grant', { accountId: numeric })).toEqual([])
      })

      it('leaves out expired artifacts, and never returns a secret id as jti', async () => {
        const account = randomUUID()
        const gone = secret()
        const live = secret()
        await artifacts().upsert(
          'AccessToken',
          gone,
          { jti: gone, accountId: account, iat: 2 },
          0.02,
        )
        await artifacts().upsert(
          'AccessToken',
          live,
          { jti: live, accountId: account, grantId: 'g', iat: 1 },
          60,
        )
        await sleep(40)
        const listed = await artifacts().list('AccessToken', { accountId: account })
        expect(listed.map((a) => a.payload)).toEqual([{ accountId: account, grantId: 'g', iat: 1 }])
      })

      it('orders clients by client_id_issued_at, then the later expiry', async () => {
        const at = 9_000_000_000 + Math.floor(Date.now() / 1000)
        const [older, newer, sameLater, sameEarlier] = [0, 1, 2, 3].map(
          () => `client-${randomUUID()}`,
        )
        await artifacts().upsert('Client', older!, { client_id: older, client_id_issued_at: at })
        await artifacts().upsert('Client', newer!, {
          client_id: newer,
          client_id_issued_at: at + 2,
        })
        await artifacts().upsert(
          'Client',
          sameEarlier!,
          { client_id: sameEarlier, client_id_issued_at: at + 1 },
          600,
        )
        await artifacts().upsert(
          'Client',
          sameLater!,
          { client_id: sameLater, client_id_issued_at: at + 1 },
          1200,
        )
        // Other suites on the same database may have listed clients like these: keep ours.
        const ours = new Set([older, newer, sameLater, sameEarlier])
        const listed = (await artifacts().list('Client', { limit: 1000 })).filter((a) =>
          ours.has(a.payload.client_id as string),
        )
        expect(listed.map((a) => a.payload.client_id)).toEqual([
          newer,
          sameLater,
          sameEarlier,
          older,
        ])
      })

      it('refuses unknown models, empty filters and bad limits', async () => {
        const list = artifacts().list.bind(artifacts())
        expect(await rejectionCode(list('Nope' as ArtifactModel))).toBe('invalid_input')
        expect(await rejectionCode(list('Grant', { accountId: '' }))).toBe('invalid_input')
        expect(await rejectionCode(list('Grant', { clientId: '' }))).toBe('invalid_input')
        for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
          expect(await rejectionCode(list('Grant', { limit })), String(limit)).toBe('invalid_input')
        }
      })
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
