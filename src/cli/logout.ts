import {
  discover,
  discoverAuthorizationServer,
  policyForServer,
  revokeCredentials,
} from '../auth/client/index.js'
import type { ClientFetchOptions, RevocationResult } from '../auth/client/index.js'
import type { StoreKey, TokenStore } from '../auth/client/store/index.js'
import { canonicalResourceUri } from '../auth/protocol/index.js'
import { parseFlags } from './args.js'
import {
  asCliError,
  cliErrors,
  fetchOptionsFrom,
  NETWORK_FLAGS,
  openClientStore,
  serverUrlArgument,
} from './client/options.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

const canonical = (url: string) => {
  try {
    return canonicalResourceUri(url)
  } catch {
    return url
  }
}

/**
 * The store keys for `serverUrl`: the stored resources equal to it (canonical form); when none,
 * the resource its metadata names (a server may publish `…/mcp` for `…/mcp/`). No network when
 * the URL matches, so logging out works with the server down.
 */
async function keysFor(
  store: TokenStore,
  serverUrl: string,
  fetchOptions: ClientFetchOptions,
): Promise<StoreKey[]> {
  const stored = await store.list()
  const matching = (resource: string) =>
    stored
      .filter((s) => canonical(s.resource) === canonical(resource))
      .map((s) => ({ issuer: s.issuer, resource: s.resource }))
  const direct = matching(serverUrl)
  if (direct.length > 0 || stored.length === 0) return direct
  try {
    const found = await discover(serverUrl, fetchOptions)
    return matching(found.resource)
  } catch {
    return []
  }
}

function describeRevocation(result: RevocationResult): string[] {
  if (!result.supported) return [...result.problems]
  const revoked = [
    result.refresh_token === 'revoked' ? 'refresh token' : undefined,
    result.access_token === 'revoked' ? 'access token' : undefined,
  ].filter((w) => w !== undefined)
  const lines = revoked.length > 0 ? [`Revoked the ${revoked.join(' and the ')}.`] : []
  return [...lines, ...result.problems]
}

/** Revokes (RFC 7009) what `key` holds when its AS offers it; reports, never throws. */
async function revoke(
  store: TokenStore,
  key: StoreKey,
  fetchOptions: ClientFetchOptions,
): Promise<string[]> {
  const credentials = await store.get(key)
  if (credentials === undefined) return []
  const client = await store.getClient(key.issuer)
  if (client === undefined) {
    return [
      `mcp-pa holds no client registration for ${key.issuer}, so it cannot revoke the tokens there; they stay valid until they expire`,
    ]
  }
  try {
    const policy = policyForServer(key.resource, fetchOptions)
    const authorizationServer = await discoverAuthorizationServer(key.issuer, policy)
    return describeRevocation(
      await revokeCredentials({ authorizationServer, client, policy }, credentials),
    )
  } catch (error) {
    const converted = asCliError(error)
    if (converted === error) throw error
    return [
      `could not revoke the tokens at ${key.issuer} (${(error as Error).message}); they stay valid until they expire`,
    ]
  }
}

/**
 * `mcp-pa logout <url>`: revokes the refresh and access tokens at the authorization server when
 * it has a revocation endpoint (RFC 7009), then deletes them from the store whatever the
 * revocation did. The client registration stays (it belongs to the authorization server and
 * serves its other resources).
 */
export async function logout(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals } = parseFlags(
    'logout',
    argv,
    { ...NETWORK_FLAGS, 'no-revoke': { type: 'boolean' } },
    true,
  )
  if (values.help) {
    console.log(HELP.logout)
    return EXIT.ok
  }
  const serverUrl = serverUrlArgument('logout', positionals)
  const fetchOptions = fetchOptionsFrom(values)
  const store = await openClientStore(env)
  const keys = await cliErrors(() => keysFor(store, serverUrl, fetchOptions))
  if (keys.length === 0) {
    console.log(`Not logged in to ${serverUrl}: mcp-pa holds no tokens for it.`)
    return EXIT.ok
  }
  for (const key of keys) {
    const notes =
      values['no-revoke'] === true
        ? ['Not revoked (--no-revoke): the tokens stay valid at the server until they expire.']
        : await cliErrors(() => revoke(store, key, fetchOptions))
    const deleted = await cliErrors(() => store.delete(key))
    const lines = [
      `Logged out of ${key.resource} (authorization server ${key.issuer}).`,
      ...notes.map((n) => `  ${n.endsWith('.') ? n : `${n}.`}`),
      deleted
        ? `  Deleted the stored tokens from ${store.kind === 'keychain' ? 'the OS keychain' : store.location}.`
        : '  The stored tokens were already gone.',
    ]
    console.log(lines.join('\n'))
  }
  return EXIT.ok
}
