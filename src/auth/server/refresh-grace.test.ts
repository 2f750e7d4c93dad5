import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { currentGraceState, openResponse, sealResponse, withGraceState } from './refresh-grace.js'

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

  it('never contains the response in clear', () => {
    const secret = token()
    expect(sealResponse(token(), { refresh_token: secret })).not.toContain(secret)
  })

  it('keeps one state per token request', async () => {
    expect(currentGraceState()).toBeUndefined()
    await Promise.all(
      [true, false].map((raced) =>
        withGraceState(async (state) => {
          state.raced = raced
          await new Promise((resolve) => setTimeout(resolve, 5))
          expect(currentGraceState()?.raced).toBe(raced)
        }),
      ),
    )
  })
})
