import { afterEach, describe, expect, it } from 'vitest'
import { OAuthError } from '../protocol/index.js'
import { createJwtVerifier } from './jwt-verifier.js'
import type { TestKey } from './test-support.js'
import { jwksOf, jwksServer, mint, testKey } from './test-support.js'

const ISSUER = 'https://idp.example'
const AUDIENCE = 'https://mcp.example/mcp'
const now = () => Math.floor(Date.now() / 1000)
const claims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: 'u', exp: now() + 600 })
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

const servers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(keys: TestKey[], cooldownMs: number) {
  let served = await jwksOf(...keys)
  const server = await jwksServer(() => served)
  servers.push(server)
  const verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: server.url,
    cooldownMs,
  })
  return { server, verifier, serve: async (...k: TestKey[]) => void (served = await jwksOf(...k)) }
}

async function detailOf(promise: Promise<unknown>): Promise<[string, number, string | undefined]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OAuthError)
  const oauth = error as OAuthError
  return [oauth.code, oauth.status, oauth.detail]
}

describe('createJwtVerifier with a remote JWKS on 127.0.0.1 (TOK-3)', () => {
  it('fetches once and caches the key set', async () => {
    const k1 = await testKey('k1')
    const { server, verifier } = await setup([k1], 30_000)
    for (let i = 0; i < 3; i += 1) await verifier.verify(await mint(k1, claims()))
    expect(server.requests()).toBe(1)
  })

  it('unknown kid: refused, and refetches honour the cooldown', async () => {
    const [k1, k2] = [await testKey('k1'), await testKey('k2')]
    const { server, verifier } = await setup([k1], 30_000)
    await verifier.verify(await mint(k1, claims()))
    expect(server.requests()).toBe(1)
    const unknown = await mint(k2, claims())
    for (let i = 0; i < 5; i += 1) {
      expect(await detailOf(verifier.verify(unknown))).toEqual([
        'invalid_token',
        401,
        'ERR_JWKS_NO_MATCHING_KEY',
      ])
    }
    expect(server.requests()).toBe(1)
  })

  it('after the cooldown an unknown kid triggers one refetch, picking up a rotated key', async () => {
    const [k1, k2] = [await testKey('k1'), await testKey('k2')]
    const { server, verifier, serve } = await setup([k1], 200)
    await verifier.verify(await mint(k1, claims()))
    await serve(k1, k2)
    const rotated = await mint(k2, claims())
    expect((await detailOf(verifier.verify(rotated)))[2]).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(server.requests()).toBe(1)
    await sleep(250)
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ subject: 'u' })
    expect(server.requests()).toBe(2)
  })

  it('an unreachable key set is 503 temporarily_unavailable, not a token error', async () => {
    const k1 = await testKey('k1')
    const { server, verifier } = await setup([k1], 0)
    await server.close()
    servers.length = 0
    const [code, status] = await detailOf(verifier.verify(await mint(k1, claims())))
    expect([code, status]).toEqual(['temporarily_unavailable', 503])
  })
})
