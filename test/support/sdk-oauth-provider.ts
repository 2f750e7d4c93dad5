import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client'
import { followAuthorization, type Person } from './builtin-flow.js'

/**
 * The MCP SDK v2 client's `OAuthClientProvider`, in memory, for one person at the built-in
 * authorization server: `redirectToAuthorization` is the headless person of builtin-flow.ts
 * (logs in, answers consent) and keeps the callback URL, which the test hands to
 * `transport.finishAuth(callback.searchParams)` before connecting again. Nothing listens at the
 * redirect URI: the follower stops at the first redirect out of the server's origin.
 *
 * Client identity as the SDK picks it: `clientInformation` (pre-registered) first, else
 * `clientMetadataUrl` (a client ID metadata document) when the server supports them, else
 * dynamic registration with `clientMetadata` (saved through `saveClientInformation`).
 */
export interface HeadlessProviderOptions {
  person: Person
  redirectUrl: string
  /** A pre-registered client (the SDK skips registration). */
  clientInformation?: StoredOAuthClientInformation
  /** A client ID metadata document URL (https) the SDK uses as client_id. */
  clientMetadataUrl?: string
  clientName?: string
}

export class HeadlessOAuthProvider implements OAuthClientProvider {
  readonly person: Person
  readonly #redirectUrl: string
  #client: StoredOAuthClientInformation | undefined
  #tokens: StoredOAuthTokens | undefined
  #verifier: string | undefined
  #discovery: OAuthDiscoveryState | undefined
  readonly clientMetadataUrl?: string
  readonly #name: string
  /** The last callback the person was redirected to (code or error, state, iss). */
  callback: URL | undefined
  /** What the person saw on the last authorization: `login`, `consent`. */
  pages: string[] = []
  /** Every authorization URL the SDK sent the person to. */
  readonly authorizations: URL[] = []
  /** Every token set the SDK saved (code exchange, refresh). */
  readonly saved: StoredOAuthTokens[] = []

  constructor(options: HeadlessProviderOptions) {
    this.person = options.person
    this.#redirectUrl = options.redirectUrl
    this.#client = options.clientInformation
    this.#name = options.clientName ?? 'mcp-pa SDK e2e'
    if (options.clientMetadataUrl !== undefined) this.clientMetadataUrl = options.clientMetadataUrl
  }

  get redirectUrl(): string {
    return this.#redirectUrl
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.#name,
      redirect_uris: [this.#redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    } as OAuthClientMetadata
  }

  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.#client
  }

  saveClientInformation(information: StoredOAuthClientInformation): void {
    this.#client = information
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.#tokens
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.#tokens = tokens
    this.saved.push(tokens)
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.authorizations.push(authorizationUrl)
    const { callback, pages } = await followAuthorization(authorizationUrl, this.person)
    this.callback = callback
    this.pages = pages
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.#verifier = codeVerifier
  }

  codeVerifier(): string {
    if (this.#verifier === undefined) throw new Error('no code verifier saved')
    return this.#verifier
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined
    if (scope === 'all' || scope === 'client') this.#client = undefined
    if (scope === 'all' || scope === 'verifier') this.#verifier = undefined
    if (scope === 'all' || scope === 'discovery') this.#discovery = undefined
  }
}
