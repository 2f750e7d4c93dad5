import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthorizationError } from './authorize-errors.js'
import { followAuthorizationRedirects } from './browser-headless.js'
import { routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { startLoopbackRedirect } from './loopback-redirect.js'
import type { LoopbackRedirect } from './loopback-redirect.js'
import { clientFetchPolicy } from './url-policy.js'

const closers: (RouteServer | LoopbackRedirect)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()))
})

const policy = clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 2000 })
const STATE = 'aGVhZGxlc3Mtc3RhdGUtMDEyMzQ1Njc4OWFiY2RlZmdo'

async function setup(
  routes: (
    origin: string,
    callback: string,
  ) => Record<string, Answer | ((r: IncomingMessage) => Answer)>,
) {
  const listener = await startLoopbackRedirect()
  closers.push(listener)
  const server = await routeServer((origin) => routes(origin, listener.redirectUri))
  closers.push(server)
  const result = listener.waitForCallback(STATE, (p) => p.get('code'), 5000)
  result.catch(() => undefined)
  return { listener, server, result }
}

const redirect = (location: string, headers: Record<string, string | string[]> = {}): Answer => ({
  status: 302,
  headers: { location, ...headers },
})

async function headlessError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthorizationError)
  expect((error as AuthorizationError).code).toBe('headless_failed')
  return error as AuthorizationError
}

describe('followAuthorizationRedirects (headless login)', () => {
  it('follows redirects with the AS cookies to the loopback callback, which gets the code', async () => {
    const { listener, server, result } = await setup((origin, callback) => ({
      '/authorize': redirect('/interaction/1', {
        'set-cookie': ['_session=abc; Path=/; HttpOnly', 'gone=x; Max-Age=0'],
      }),
      '/interaction/1': (req) =>
        req.headers.cookie === '_session=abc'
          ? redirect(`${origin}/authorize/resume`)
          : { status: 400, body: 'no session' },
      '/authorize/resume': redirect(`${callback}?code=the-code&state=${STATE}`),
    }))
    await followAuthorizationRedirects(new URL(`${server.origin}/authorize?client_id=x`), {
      policy,
      redirectUri: listener.redirectUri,
    })
    await expect(result).resolves.toBe('the-code')
    expect(server.paths()).toEqual(['/authorize', '/interaction/1', '/authorize/resume'])
  })

  it('never sends one origin the cookies of another', async () => {
    const cookies: (string | undefined)[] = []
    const other = await routeServer(() => ({
      '/next': (req) => {
        cookies.push(req.headers.cookie)
        return { status: 200, body: 'page' }
      },
    }))
    closers.push(other)
    const { listener, server } = await setup(() => ({
      '/authorize': redirect(`${other.origin}/next`, { 'set-cookie': '_session=abc' }),
    }))
    await headlessError(
      followAuthorizationRedirects(new URL(`${server.origin}/authorize`), {
        policy,
        redirectUri: listener.redirectUri,
      }),
    )
    expect(cookies).toEqual([undefined])
  })

  it('stops at a page meant for a person', async () => {
    const { listener, server } = await setup(() => ({
      '/authorize': { status: 200, body: '<form>' },
    }))
    const error = await headlessError(
      followAuthorizationRedirects(new URL(`${server.origin}/authorize`), {
        policy,
        redirectUri: listener.redirectUri,
      }),
    )
    expect(error.message).toBe(
      `${server.origin}/authorize answered HTTP 200 instead of redirecting back to mcp-pa: it wants a person (a login or consent page). Log in without --headless`,
    )
  })

  it('gives up after 10 redirects', async () => {
    const { listener, server } = await setup(() => ({ '/loop': redirect('/loop') }))
    const error = await headlessError(
      followAuthorizationRedirects(new URL(`${server.origin}/loop`), {
        policy,
        redirectUri: listener.redirectUri,
      }),
    )
    expect(error.message).toMatch(/more than 10 times/)
    expect(server.requests).toHaveLength(11)
  })

  it.each([
    ['a private address', 'https://10.0.0.1/steal', /forbidden|private/],
    ['plain http off loopback', 'http://as.example.com/authorize', /plain http/],
    ['a javascript: URL', 'javascript:alert(1)', /must be an https URL/],
    ['a file: URL', 'file:///etc/passwd', /must be an https URL/],
  ])('checks every hop with the URL policy: refuses %s', async (_name, location, message) => {
    const { listener, server } = await setup(() => ({ '/authorize': redirect(location) }))
    const error = await headlessError(
      followAuthorizationRedirects(new URL(`${server.origin}/authorize`), {
        policy,
        redirectUri: listener.redirectUri,
      }),
    )
    expect(error.message).toMatch(message)
  })

  it('reports a callback the listener refused (a state that is not this login)', async () => {
    const { listener, server, result } = await setup((_origin, callback) => ({
      '/authorize': redirect(`${callback}?code=the-code&state=forged`),
    }))
    const error = await headlessError(
      followAuthorizationRedirects(new URL(`${server.origin}/authorize`), {
        policy,
        redirectUri: listener.redirectUri,
      }),
    )
    expect(error.message).toMatch(/callback refused the answer \(HTTP 400\)/)
    expect(error.message).not.toContain('the-code')
    await listener.close()
    await expect(result).rejects.toMatchObject({ code: 'callback_timeout' })
  })
})
