/**
 * The pre-flight check of an authorization URL before a person is sent to it (`login` with a
 * browser or `--no-browser`). RFC 6749 §4.1.2.1: when the client ID or the redirect URI is not
 * valid, the authorization server shows the browser an error page and never redirects back, so
 * the loopback listener would wait for its whole timeout for nothing. One GET of the same URL,
 * without following redirects, tells the two cases apart at once:
 * - a redirect (to a login or consent page, or back to us) or a page (200): the server took the
 *   request, the person carries on in the browser;
 * - a redirect back to our redirect URI with `error`: the server refused the request in the
 *   standard way (`invalid_scope`, `access_denied` …), checked like a callback (state, `iss`);
 * - 4xx/5xx naming an OAuth error (an HTML error page or JSON): the server refused the client or
 *   its redirect URI; the login stops with that error instead of waiting.
 * Anything else (a network failure, an answer without an OAuth error, which a browser may still
 * get past) leaves the login as it was: the check only ever shortens a login that cannot succeed.
 *
 * The GET carries no cookie, so the server cannot approve it silently; should it redirect back
 * with a code anyway, that code is ignored (it is useless without this login's PKCE verifier).
 */
import { refusalIn } from './authorization-refusal.js'
import { readAuthorizationResponse } from './authorize.js'
import type { PendingAuthorization } from './authorize.js'
import { AuthorizationError } from './authorize-errors.js'
import { clientRequest } from './fetch.js'
import { ClientFetchError, endpointName } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** What to check next when the server names this error. */
function hint(error: string, redirectUri: string): string {
  if (error.startsWith('invalid_redirect_uri')) {
    return `The client must allow the redirect URI ${redirectUri}: register http://127.0.0.1/callback with any port allowed (RFC 8252 §7.3)`
  }
  if (error.startsWith('invalid_client_metadata')) {
    return 'Check the client ID metadata document (it must name its own URL as client_id and allow http://127.0.0.1 redirect URIs)'
  }
  if (error.startsWith('invalid_client') || error.startsWith('unauthorized_client')) {
    return 'Check the client ID (--client-id, or the client ID metadata document): the server does not know it or does not let it use the authorization code flow'
  }
  return 'Check the client ID and its redirect URIs at the authorization server'
}

/**
 * GETs `pending.url` once (redirects not followed) and throws an `AuthorizationError` when the
 * server refused the request outright; resolves otherwise. See the module comment.
 */
export async function preflightAuthorization(
  pending: PendingAuthorization,
  policy: ClientFetchPolicy,
): Promise<void> {
  let answer
  try {
    answer = await clientRequest(
      pending.url,
      {
        what: 'the authorization endpoint (pre-flight check)',
        headers: { accept: 'text/html' },
        // An error answer is read: it may name why the server refused the request.
        readBody: (status) => status >= 400,
        redirects: 'return',
      },
      policy,
    )
  } catch (error) {
    // Unreachable from here (a proxy, the address policy) is no proof the browser cannot.
    if (error instanceof ClientFetchError) return
    throw error
  }
  if (REDIRECTS.has(answer.status)) {
    const location = answer.headers.get('location')
    const to = location === null ? null : URL.parse(location, pending.url.href)
    const back = new URL(pending.redirectUri)
    if (to === null || to.origin !== back.origin || to.pathname !== back.pathname) return
    // Back to us: an `error` is this login's answer (state and iss checked first); a code is not
    // taken from here (the person's browser brings its own).
    if (to.searchParams.has('error')) readAuthorizationResponse(to.searchParams, pending)
    return
  }
  if (answer.status < 400) return
  const found = refusalIn(answer.body)
  if (found === undefined) return
  const refusal = found.split(pending.state).join('[redacted]')
  throw new AuthorizationError(
    'authorization_refused',
    `${endpointName(pending.url)} refused the authorization request (HTTP ${answer.status}: ${refusal}): it shows the browser an error page and would never redirect back to mcp-pa, so the login stops here. ${hint(refusal, pending.redirectUri)}`,
    { status: answer.status, oauthError: /^[a-z_]+/.exec(refusal)?.[0] ?? 'invalid_request' },
  )
}
