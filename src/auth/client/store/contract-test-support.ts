import { describe, expect, it } from 'vitest'
import { randomToken } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'
import type { ClientRegistration, StoredCredentials, TokenStoreBackend } from './types.js'

/**
 * One behaviour suite that every token store backend passes (CONVENTIONS §5.9). Every token
 * and secret is generated at run time.
 */

export const ISSUER_A = 'https://as-a.example/'
export const ISSUER_B = 'https://as-b.example/tenant'
export const RESOURCE_1 = 'https://mcp-1.example/mcp'
export const RESOURCE_2 = 'https://mcp-2.example/mcp'

export function freshCredentials(extra: Partial<StoredCredentials> = {}): StoredCredentials {
  return {
    access_token: `at-${randomToken()}`,
    refresh_token: `rt-${randomToken()}`,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    scope: 'memories:read tasks:write',
    token_type: 'Bearer',
    ...extra,
  }
}

export function freshRegistration(issuer: string): ClientRegistration {
  return {
    issuer,
    client_id: `client-${randomToken(16)}`,
    client_secret: `cs-${randomToken()}`,
    method: 'dynamic_registration',
    redirect_uris: ['http://127.0.0.1/callback'],
    registered_at: Math.floor(Date.now() / 1000),
  }
}

/** Every secret value of some credentials and registrations, for "never appears" checks. */
export function secretsOf(...values: (StoredCredentials | ClientRegistration)[]): string[] {
  return values.flatMap((v) =>
    'client_id' in v
      ? [v.client_secret ?? '']
      : [v.access_token, v.refresh_token ?? ''].filter((s) => s.length > 0),
  )
}

/** The TokenStoreError a promise rejects with (fails the test otherwise). */
export async function errorOf(promise: Promise<unknown>): Promise<TokenStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TokenStoreError)
  return error as TokenStoreError
}

export function tokenStoreContract(name: string, open: () => Promise<TokenStoreBackend>): void {
  describe(`token store contract: ${name}`, () => {
    const a1 = { issuer: ISSUER_A, resource: RESOURCE_1 }

    it('stores and returns credentials by (issuer, resource); a missing key gives undefined', async () => {
      const store = await open()
      expect(await store.get(a1)).toBeUndefined()
      const credentials = freshCredentials({ account: 'alice@example.com' })
      await store.put(a1, credentials)
      expect(await store.get(a1)).toEqual(credentials)
    })

    it('keys the resource by its canonical URI (RFC 8707 §2)', async () => {
      const store = await open()
      const credentials = freshCredentials()
      await store.put(
        { issuer: ISSUER_A, resource: 'HTTPS://MCP-1.example:443/mcp/#x' },
        credentials,
      )
      expect(await store.get(a1)).toEqual(credentials)
    })

    it('TOK-6: credentials of one AS are never returned for another AS or another resource', async () => {
      const store = await open()
      const fromA = freshCredentials()
      await store.put(a1, fromA)
      expect(await store.get({ issuer: ISSUER_B, resource: RESOURCE_1 })).toBeUndefined()
      expect(await store.get({ issuer: ISSUER_A, resource: RESOURCE_2 })).toBeUndefined()
      expect(await store.get({ issuer: `${ISSUER_A}x`, resource: RESOURCE_1 })).toBeUndefined()
      const fromB = freshCredentials()
      await store.put({ issuer: ISSUER_B, resource: RESOURCE_1 }, fromB)
      expect(await store.get(a1)).toEqual(fromA)
      expect(await store.get({ issuer: ISSUER_B, resource: RESOURCE_1 })).toEqual(fromB)
    })

    it('TOK-6: client registrations are kept per issuer, apart from tokens', async () => {
      const store = await open()
      expect(await store.getClient(ISSUER_A)).toBeUndefined()
      const regA = freshRegistration(ISSUER_A)
      const regB = { ...freshRegistration(ISSUER_B), method: 'pre_registered' as const }
      delete regB.client_secret
      await store.putClient(regA)
      await store.putClient(regB)
      expect(await store.getClient(ISSUER_A)).toEqual(regA)
      expect(await store.getClient(ISSUER_B)).toEqual(regB)
      expect(await store.getClient('https://as-a.example')).toBeUndefined() // exact issuer
      expect(await store.get(a1)).toBeUndefined()
      expect(await store.list()).toEqual([])
      expect(await store.deleteClient(ISSUER_A)).toBe(true)
      expect(await store.deleteClient(ISSUER_A)).toBe(false)
      expect(await store.getClient(ISSUER_A)).toBeUndefined()
      expect(await store.getClient(ISSUER_B)).toEqual(regB)
    })

    it('TOK-7, RT-2: list() gives metadata only, never a token value', async () => {
      const store = await open()
      const c1 = freshCredentials({ account: 'alice' })
      const c2 = freshCredentials({ scope: '' })
      delete c2.refresh_token
      await store.put({ issuer: ISSUER_B, resource: RESOURCE_2 }, c2)
      await store.put(a1, c1)
      await store.putClient(freshRegistration(ISSUER_A))
      const list = await store.list()
      expect(list).toEqual([
        {
          issuer: ISSUER_A,
          resource: RESOURCE_1,
          account: 'alice',
          expires_at: c1.expires_at,
          scopes: ['memories:read', 'tasks:write'],
          has_refresh_token: true,
        },
        {
          issuer: ISSUER_B,
          resource: RESOURCE_2,
          expires_at: c2.expires_at,
          scopes: [],
          has_refresh_token: false,
        },
      ])
      const text = JSON.stringify(list)
      for (const secret of secretsOf(c1, c2)) expect(text).not.toContain(secret)
    })

    it('put replaces; delete removes and says whether anything was there', async () => {
      const store = await open()
      await store.put(a1, freshCredentials())
      const second = freshCredentials({ scope: 'memories:read' })
      await store.put(a1, second)
      expect(await store.get(a1)).toEqual(second)
      expect(await store.delete(a1)).toBe(true)
      expect(await store.delete(a1)).toBe(false)
      expect(await store.get(a1)).toBeUndefined()
      expect(await store.list()).toEqual([])
    })

    it('refuses malformed input with a TypeError that names the field, not the value', async () => {
      const store = await open()
      const bad = { ...freshCredentials(), expires_at: Number.NaN }
      await expect(store.put(a1, bad)).rejects.toThrow(
        new TypeError('invalid credentials: expires_at'),
      )
      const noAccess = { ...freshCredentials(), access_token: '' }
      await expect(store.put(a1, noAccess)).rejects.toThrow(/access_token/)
      await expect(
        store.put({ issuer: 'not a url', resource: RESOURCE_1 }, freshCredentials()),
      ).rejects.toThrow(TypeError)
      const reg = {
        ...freshRegistration(ISSUER_A),
        method: 'magic',
      } as unknown as ClientRegistration
      const error = await store.putClient(reg).catch((e: unknown) => e as Error)
      expect(error).toBeInstanceOf(TypeError)
      expect(String(error)).not.toContain(reg.client_secret)
    })

    it('drops unknown fields instead of storing them', async () => {
      const store = await open()
      const credentials = freshCredentials()
      await store.put(a1, { ...credentials, id_token: randomToken() } as StoredCredentials)
      expect(await store.get(a1)).toEqual(credentials)
    })
  })
}
