/**
 * What a connection to an OAuth-protected MCP server needs (issue 5): the server, the token
 * store, how a login may happen, and where user-facing lines go.
 */
import type {
  ClientFetchOptions,
  MachineGrant,
  PreRegisteredClient,
} from '../../auth/client/index.js'
import type { TokenStore } from '../../auth/client/store/index.js'

/** `never`: no login at all; a missing or refused token fails with "run mcp-pa login <url>". */
export type ConnectionMode = 'browser' | 'print' | 'headless' | 'never'

export interface ConnectionOptions {
  serverUrl: string
  store: TokenStore
  mode: ConnectionMode
  /** User-facing lines (stderr in the CLI). Never given a token. */
  print: (line: string) => void
  /** Timeouts, `dangerouslyAllowHttp` … for the OAuth requests (src/auth/client url-policy). */
  fetchOptions?: ClientFetchOptions
  preRegistered?: PreRegisteredClient
  /**
   * A non-interactive grant (client_credentials, cross-app access) used instead of a login
   * whatever `mode` says; discovery and its checks still come first.
   */
  grant?: MachineGrant
  /** The client ID metadata document URL; `false` turns CIMD off. */
  clientMetadataUrl?: string | false
  /** Authorizations per operation, the first included (step-up limit, STEP-3); default 3. */
  maxAuthorizations?: number
  /** Seconds since the epoch (tests). */
  now?: () => number
}

/** Why a request to the MCP server could not be authorized. Never carries a token. */
export type ConnectionErrorCode =
  /** No usable credentials and no login allowed (mode `never`), or the login was refused. */
  | 'login_required'
  /** The server refused a token obtained just now. */
  | 'unauthorized'
  /** 403 insufficient_scope and no (further) step-up allowed. */
  | 'insufficient_scope'
  /** The server URL cannot be used (not https off loopback, user information …). */
  | 'invalid_server_url'

export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode
  constructor(code: ConnectionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConnectionError'
    this.code = code
  }
}
