import { once } from 'node:events'
import { request } from 'node:http'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthorizationError } from './authorize-errors.js'
import { startLoopbackRedirect } from './loopback-redirect.js'
import type { LoopbackRedirect } from './loopback-redirect.js'

const open: LoopbackRedirect[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()))
})

async function listener(options = {}) {
  const l = await startLoopbackRedirect(options)
  open.push(l)
  return l
}

interface Got {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw GET (or other method) with full control of the Host header. */
function get(port: number, path: string, init: { method?: string; host?: string } = {}) {
  return new Promise<Got>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: init.method ?? 'GET',
        headers: { host: init.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += String(c)))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

const STATE = 'c3RhdGUtb2YtdGhpcy1sb2dpbi0wMTIzNDU2Nzg5YWJj'
const read = (params: URLSearchParams) => params.get('code')

describe('the loopback redirect listener (RFC 8252 §7.3, §8.3)', () => {
  it('listens on 127.0.0.1 with a random port; the redirect URI names it', async () => {
    const l = await listener()
    expect(l.redirectUri).toBe(`http://127.0.0.1:${l.port}/callback`)
    expect(l.port).toBeGreaterThan(0)
  })

  it('accepts the callback with the right state once, answers a static page, then stops', async () => {
    const l = await listener()
    const result = l.waitForCallback(STATE, read, 5000)
    const answer = await get(l.port, `/callback?code=the-code&state=${STATE}`)
    await expect(result).resolves.toBe('the-code')
    expect(answer.status).toBe(200)
    expect(answer.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    })
    expect(answer.body).toContain('You can close this tab')
    expect(answer.body).not.toMatch(/<script|<style|style=|<a |<img|<form|the-code/i)
    await expect(get(l.port, `/callback?code=again&state=${STATE}`)).rejects.toThrow(/ECONNREFUSED/)
  })

  it('discards callbacks with a wrong, missing or repeated state and keeps waiting (STATE-1)', async () => {
    const l = await listener()
    const result = l.waitForCallback(STATE, read, 5000)
    for (const query of ['code=x&state=forged', 'code=x', `code=x&state=${STATE}&state=${STATE}`]) {
      const answer = await get(l.port, `/callback?${query}`)
      expect(answer.status).toBe(400)
      expect(answer.body).toContain('not the sign-in mcp-pa is waiting for')
    }
    await get(l.port, `/callback?code=the-code&state=${STATE}`)
    await expect(result).resolves.toBe('the-code')
  })

  it.each([
    ['another path', '/other', {}, 404],
    ['a POST', '/callback', { method: 'POST' }, 405],
    ['a foreign Host (DNS rebinding)', '/callback', { host: 'evil.example:80' }, 421],
    ['localhost as Host', '/callback', { host: 'localhost' }, 421],
  ])('refuses %s without settling', async (_name, path, init, status) => {
    const l = await listener()
    const result = l.waitForCallback(STATE, read, 5000)
    const answer = await get(l.port, `${path}?code=x&state=${STATE}`, init)
    expect(answer.status).toBe(status)
    await get(l.port, `/callback?code=the-code&state=${STATE}`)
    await expect(result).resolves.toBe('the-code')
  })

  it("a callback that fails the caller's checks gets the failure page and rejects the wait", async () => {
    const l = await listener()
    const result = l.waitForCallback(
      STATE,
      () => {
        throw new AuthorizationError('access_denied', 'refused')
      },
      5000,
    )
    result.catch(() => undefined)
    const answer = await get(l.port, `/callback?error=access_denied&state=${STATE}`)
    expect(answer.status).toBe(400)
    expect(answer.body).toContain('the terminal says why')
    await expect(result).rejects.toMatchObject({ code: 'access_denied' })
  })

  it('times out with callback_timeout', async () => {
    const l = await listener()
    await expect(l.waitForCallback(STATE, read, 50)).rejects.toMatchObject({
      code: 'callback_timeout',
      message: expect.stringMatching(
        /no answer from the authorization server reached mcp-pa within 50 ms/,
      ),
    })
    expect((await get(l.port, `/callback?code=late&state=${STATE}`)).status).toBe(400)
  })

  it('close() while waiting rejects the wait; close() twice is fine', async () => {
    const l = await listener()
    const result = l.waitForCallback(STATE, read, 5000)
    await l.close()
    await l.close()
    await expect(result).rejects.toMatchObject({ code: 'callback_timeout' })
  })

  it('waits only once', async () => {
    const l = await listener()
    l.waitForCallback(STATE, read, 5000).catch(() => undefined)
    expect(() => l.waitForCallback(STATE, read, 5000)).toThrow(/only once/)
  })

  it('uses a preferred port when free, another when taken, and fails when the port is strict', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await once(blocker, 'listening')
    const taken = (blocker.address() as AddressInfo).port
    try {
      const first = await listener()
      const { port } = first
      await first.close()
      expect((await listener({ port })).port).toBe(port)
      expect((await listener({ port: taken })).port).not.toBe(taken)
      await expect(listener({ port: taken, strictPort: true })).rejects.toMatchObject({
        code: 'loopback_unavailable',
        message: expect.stringContaining(`127.0.0.1:${taken} (EADDRINUSE)`),
      })
    } finally {
      blocker.close()
    }
  })
})
