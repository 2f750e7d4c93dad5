import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hkdfSync } from 'node:crypto'
import {
  currentGraceState,
  graceKey,
  openResponse,
  sealResponse,
  withGraceState,
} from './refresh-grace.js'

const token = () => randomBytes(32).toString('base64url')

describe('refresh grace record', () => {
  it('opens only with the refresh token it was sealed under', () => {
    const old = token()
    const sealed = sealResponse(old, { access_token: 'a', refresh_token: 'r' })
    expect(openResponse(old, sealed)).toEqual({ access_token: 'a', refresh_token: 'r' })
    expect(openResponse(token(), sealed)).toBeUndefined()
  })

  it('refuses a tampered or malformed record', () => {
    const old = token()
    const sealed = sealResponse(old, { x: 1 })
    const parts = sealed.split('.')
    const body = Buffer.from(parts[3]!, 'base64url')
    body[0] = body[0]! ^ 1
    parts[3] = body.toString('base64url')
    expect(openResponse(old, parts.join('.'))).toBeUndefined()
    expect(openResponse(old, 'v2.a.b.c')).toBeUndefined()
    expect(openResponse(old, 'garbage')).toBeUndefined()
  })

  it('derives the key by HKDF-SHA256 (RFC 5869), byte for byte what hkdfSync gives', () => {
    for (const value of [token(), token(), 'é-ünïcode-token', 'x']) {
      const expected = Buffer.from(
        hkdfSync('sha256', value, 'mcp-pa', 'refresh grace response v1', 32) as ArrayBuffer,
      )
      expect(graceKey(value).equals(expected)).toBe(true)
    }
  })

  it('gives every seal its own nonce, across refills of the nonce pool', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 1000; i++) seen.add(sealResponse('same token', {}).split('.')[1] ?? '')
    expect(seen.size).toBe(1000)
    for (const iv of seen) expect(Buffer.from(iv, 'base64url')).toHaveLength(12)
  })

  it('never contains the response in clear', () => {
    const secret = token()
    expect(sealResponse(token(), { refresh_token: secret })).not.toContain(secret)
  })

  it('keeps one state per token request, on that request', async () => {
    expect(currentGraceState(undefined)).toBeUndefined()
    expect(currentGraceState({})).toBeUndefined()
    const requests = [{}, {}]
    await Promise.all(
      [true, false].map((raced, i) =>
        withGraceState(requests[i]!, async (state) => {
          state.raced = raced
          await new Promise((resolve) => setTimeout(resolve, 5))
          expect(currentGraceState(requests[i])?.raced).toBe(raced)
        }),
      ),
    )
    // Not an enumerable member: nothing serialises or copies it with the request.
    expect(Object.keys(requests[0]!)).toEqual([])
  })
})
