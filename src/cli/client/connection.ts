/**
 * Connections to an OAuth-protected MCP server for the CLI (issue 5): `authorizedFetch` keeps a
 * valid Bearer token on every request (authorized-fetch.ts), `connectClient` gives an SDK client
 * over Streamable HTTP with it, `ensureLogin` is `mcp-pa login`'s discover → login → store.
 * The OAuth work is src/auth/client's, never the SDK's own authProvider.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import {
  AuthorizationError,
  discover,
  getValidToken,
  grantTypeOf,
  login,
  obtainGrantToken,
  policyForServer,
} from '../../auth/client/index.js'
import type { DiscoveryResult, LoginResult } from '../../auth/client/index.js'
import { VERSION } from '../version.js'
import { authorizedFetch } from './authorized-fetch.js'
import type { ElicitationHandler } from './elicitation.js'
import { ConnectionError } from './types.js'
import type { ConnectionOptions } from './types.js'

export { authorizedFetch } from './authorized-fetch.js'
export { resourceCovers } from './server-url.js'
export { ConnectionError } from './types.js'
export type { ConnectionErrorCode, ConnectionMode, ConnectionOptions } from './types.js'

export interface ConnectedClient {
  client: Client
  close(): Promise<void>
}

/** An SDK client connected (initialize done) over Streamable HTTP with `authorizedFetch`. */
export async function connectClient(
  options: ConnectionOptions & {
    clientInfo?: { name: string; version: string }
    /**
     * `legacy` (default): the 2025 `initialize` handshake. `auto`: probe with
     * `server/discover` first and speak 2026-07-28 to a server that offers it.
     */
    versionNegotiation?: 'legacy' | 'auto'
    /**
     * Answers `elicitation/create` (form mode; the capability is declared only with it): the
     * 2025 server→client request, and on 2026-07-28 the input requests of an `input_required`
     * result, which the SDK fulfils with it and retries with `requestState` echoed (SEP-2322).
     */
    elicitation?: ElicitationHandler
  },
): Promise<ConnectedClient> {
  const fetch = authorizedFetch(options)
  const { elicitation } = options
  const client = new Client(options.clientInfo ?? { name: 'mcp-pa', version: VERSION }, {
    versionNegotiation: { mode: options.versionNegotiation ?? 'legacy' },
    ...(elicitation === undefined ? {} : { capabilities: { elicitation: { form: {} } } }),
  })
  if (elicitation !== undefined) {
    client.setRequestHandler('elicitation/create', (request) => elicitation(request.params))
  }
  const transport = new StreamableHTTPClientTransport(new URL(options.serverUrl), { fetch })
  await client.connect(transport)
  return { client, close: () => client.close() }
}

export interface EnsureLoginResult extends LoginResult {
  discovery: DiscoveryResult
  /** True when valid stored credentials were kept (no new authorization). */
  reused: boolean
}

/**
 * Makes sure valid credentials for the server are stored: discovery, then the stored ones
 * (refreshed when needed) unless `force` or other `scopes` are asked for, else a login.
 */
export async function ensureLogin(
  options: ConnectionOptions & { scopes?: string[]; force?: boolean },
): Promise<EnsureLoginResult> {
  const policy = policyForServer(options.serverUrl, options.fetchOptions)
  const grantType = grantTypeOf(options.grant)
  const discovery = await discover(options.serverUrl, {
    ...options.fetchOptions,
    ...(grantType === undefined ? {} : { grantType }),
  })
  const { issuer } = discovery.authorizationServer
  const key = { issuer, resource: discovery.resource }
  if (options.force !== true && options.scopes === undefined) {
    try {
      const credentials = await getValidToken({
        store: options.store,
        authorizationServer: discovery.authorizationServer,
        resource: discovery.resource,
        policy,
        ...(options.now === undefined ? {} : { now: options.now }),
      })
      const client = await options.store.getClient(issuer)
      if (client !== undefined) {
        const scopes = credentials.scope === '' ? undefined : credentials.scope.split(' ')
        return { key, credentials, client, scopes, discovery, reused: true }
      }
    } catch (error) {
      if (!(error instanceof AuthorizationError) || error.code !== 'login_required') throw error
    }
  }
  if (options.grant !== undefined) {
    const result = await obtainGrantToken({
      discovery,
      store: options.store,
      policy,
      grant: options.grant,
      ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
      ...(options.now === undefined ? {} : { now: options.now }),
    })
    const client = {
      issuer,
      client_id: options.grant.clientId,
      method: 'pre_registered' as const,
      redirect_uris: [],
      registered_at: Math.floor(options.now?.() ?? Date.now() / 1000),
    }
    return { ...result, client, discovery, reused: false }
  }
  if (options.mode === 'never') {
    throw new ConnectionError(
      'login_required',
      `no usable credentials for ${discovery.resource}; run: mcp-pa login ${options.serverUrl}`,
    )
  }
  const result = await login({
    discovery,
    store: options.store,
    policy,
    mode: options.mode,
    print: options.print,
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    ...(options.preRegistered === undefined ? {} : { preRegistered: options.preRegistered }),
    ...(options.clientMetadataUrl === undefined
      ? {}
      : { clientMetadataUrl: options.clientMetadataUrl }),
    ...(options.now === undefined ? {} : { now: options.now }),
  })
  return { ...result, discovery, reused: false }
}
