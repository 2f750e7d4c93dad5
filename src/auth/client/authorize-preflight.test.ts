import type { IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthorizationError } from './authorize-errors.js'
import type { AuthorizationErrorCode } from './authorize-errors.js'
import { preflightAuthorization } from './authorize-preflight.js'
import { createAuthorizationRequest } from './authorize.js'
import type { PendingAuthorization } from './authorize.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { policyForServer } from './authorize-login.js'

/**
 * The pre-flight GET of an authorization URL, against an authorization endpoint on loopback
 * (real HTTP) scripted to answer the ways real servers do. Against mcp-pa's own server (an
 * unknown client, a redirect URI it does not allow): test/e2e/client-cli-builtin.test.ts.
 */

const REDIRECT_URI = 'http://127.0.0.1:1/callback'
const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

/** An AS whose /authorize answers `answer(query)`; returns the pending request to check. */
async function authorizeAnswering(
  answer: (query: URLSearchParams, issuer: string) => Answer,
): Promise<PendingAuthorization> {
  const server = await routeServer((issuer) => ({
    '/authorize': (req: IncomingMessage) =>
      answer(new URL(req.url ?? '/', issuer).searchParams, issuer),
  }))
  servers.push(server)
  return createAuthorizationRequest({
    authorizationServer: {
      issuer: server.origin,
      metadata: {
        issuer: server.origin,
        authorization_endpoint: `${server.origin}/authorize`,
        token_endpoint: `${server.origin}/token`,
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      },
    },
    clientId: 'cli',
    redirectUri: REDIRECT_URI,
    resource: 'http://127.0.0.1:1/mcp',
    scopes: undefined,
  })
}

const policy = policyForServer('http://127.0.0.1:1/mcp', { timeoutMs: 2000 })

async function refused(pending: PendingAuthorization, code: AuthorizationErrorCode) {
  const error = await preflightAuthorization(pending, policy).then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthorizationError)
  expect((error as AuthorizationError).code).toBe(code)
  expect((error as Error).message).not.toContain(pending.state)
  return error as AuthorizationError
}

const back = (query: URLSearchParams, params: Record<string, string>): Answer => {
  const target = new URL(query.get('redirect_uri') ?? '')
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value)
  return { status: 302, headers: { location: target.href } }
}

describe('preflightAuthorization: a request the server takes goes on to the person', () => {
  it.each<[string, Answer]>([
    ['a redirect to a login page', { status: 303, headers: { location: '/login/abc' } }],
    ['a login page at the endpoint itself', { status: 200, body: '<h1>Sign in</h1>' }],
    // A gateway or bot check a browser may get past: no OAuth error named, no verdict.
    ['403 without an OAuth error', { status: 403, body: '<h1>Checking your browser</h1>' }],
    ['500 without an OAuth error', { status: 500, body: 'upstream timed out' }],
  ])('%s', async (_, answer) => {
    const pending = await authorizeAnswering(() => answer)
    await expect(preflightAuthorization(pending, policy)).resolves.toBeUndefined()
  })

  it('a redirect back with a code (approved without a person): the code is not taken', async () => {
    const pending = await authorizeAnswering((query, issuer) =>
      back(query, { code: 'silent-code', state: query.get('state') ?? '', iss: issuer }),
    )
    await expect(preflightAuthorization(pending, policy)).resolves.toBeUndefined()
  })

  it('an endpoint it cannot reach: left to the browser', async () => {
    const pending = await authorizeAnswering(() => ({ status: 200 }))
    await servers.splice(0)[0]?.close()
    await expect(preflightAuthorization(pending, policy)).resolves.toBeUndefined()
  })
})

describe('preflightAuthorization: a request the server refuses stops at once', () => {
  it('an error page naming the error (RFC 6749 §4.1.2.1), with a hint; an echoed state is blanked', async () => {
    const pending = await authorizeAnswering((query) => ({
      status: 400,
      headers: { 'content-type': 'text/html' },
      body: `<html><body><h1>Error</h1><p>invalid_client: client is invalid (state ${query.get('state')})</p></body></html>`,
    }))
    const error = await refused(pending, 'authorization_refused')
    expect(error.message).toBe(
      `${pending.url.origin}/authorize refused the authorization request (HTTP 400: invalid_client: client is invalid (state [redacted])): it shows the browser an error page and would never redirect back to mcp-pa, so the login stops here. Check the client ID (--client-id, or the client ID metadata document): the server does not know it or does not let it use the authorization code flow`,
    )
    expect(error).toMatchObject({ status: 400, oauthError: 'invalid_client' })
  })

  it('a JSON error about the redirect URI names the one to allow', async () => {
    const pending = await authorizeAnswering(() =>
      json(
        { error: 'invalid_redirect_uri', error_description: 'redirect_uri is not registered' },
        { status: 400 },
      ),
    )
    const error = await refused(pending, 'authorization_refused')
    expect(error.message).toContain(
      '(HTTP 400: invalid_redirect_uri: redirect_uri is not registered)',
    )
    expect(error.message).toContain(`The client must allow the redirect URI ${REDIRECT_URI}`)
  })

  it('a redirect back with an error is this login answer, checked like a callback', async () => {
    const pending = await authorizeAnswering((query, issuer) =>
      back(query, {
        error: 'invalid_scope',
        error_description: 'unknown scope',
        state: query.get('state') ?? '',
        iss: issuer,
      }),
    )
    const error = await refused(pending, 'authorization_failed')
    expect(error.message).toContain('(invalid_scope: unknown scope)')
  })

  it('a redirect back with an error from another issuer is refused as a mix-up (ISS-3)', async () => {
    const pending = await authorizeAnswering((query) =>
      back(query, {
        error: 'access_denied',
        state: query.get('state') ?? '',
        iss: 'https://evil.example',
      }),
    )
    const error = await refused(pending, 'issuer_mismatch')
    expect(error.message).not.toContain('access_denied')
  })
})
