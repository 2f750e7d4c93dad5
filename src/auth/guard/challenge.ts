import { OAuthError } from '../protocol/index.js'

/** RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/
/** Printable ASCII only: no control characters, no line breaks (header injection). */
const PRINTABLE = /^[\x20-\x7E]*$/

export interface ChallengeOptions {
  /** The RFC 9728 metadata URL of this resource (PRM-4). */
  resourceMetadataUrl: string
  /** Every scope the call needs (ERR-3, ERR-5, ERR-6). */
  scope?: readonly string[]
}

export interface ChallengeHeaderOptions extends ChallengeOptions {
  error?: string
  errorDescription?: string
}

function quoted(name: string, value: string): string {
  if (!PRINTABLE.test(value)) {
    throw new TypeError(`${name} must be printable ASCII without control characters`)
  }
  return `${name}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

function scopeValue(scope: readonly string[]): string {
  for (const token of scope) {
    if (!SCOPE_TOKEN.test(token))
      throw new TypeError(`invalid scope token ${JSON.stringify(token)}`)
  }
  return [...new Set(scope)].join(' ')
}

/**
 * The `WWW-Authenticate: Bearer …` value: `resource_metadata` (RFC 9728 §5.1), `scope`, `error`
 * and `error_description` (RFC 6750 §3) as quoted strings, with `\` and `"` escaped and control
 * characters refused.
 * @see RFC 6750 §3
 * @see RFC 9728 §5.1
 */
export function challengeHeader(options: ChallengeHeaderOptions): string {
  if (!URL.canParse(options.resourceMetadataUrl)) {
    throw new TypeError('resourceMetadataUrl must be an absolute URL')
  }
  const params = [quoted('resource_metadata', options.resourceMetadataUrl)]
  if (options.scope !== undefined && options.scope.length > 0) {
    params.push(quoted('scope', scopeValue(options.scope)))
  }
  if (options.error !== undefined) params.push(quoted('error', options.error))
  if (options.errorDescription !== undefined) {
    params.push(quoted('error_description', options.errorDescription))
  }
  return `Bearer ${params.join(', ')}`
}

const CHALLENGED = new Set(['invalid_request', 'invalid_token', 'insufficient_scope'])

/**
 * The one mapper from a guard outcome to the wire (ERR-1, ERR-2, ERR-5):
 * - `'missing'` → 401, challenge without error code, no body (RFC 6750 §3.1);
 * - `invalid_token` → 401, `invalid_request` → 400, `insufficient_scope` → 403 with `scope`
 *   naming every scope the call needs; each with the challenge and `{ error, error_description }`;
 * - `server_error` / `temporarily_unavailable` → their status, body only.
 * Always `Cache-Control: no-store`.
 */
export function challengeResponse(
  error: OAuthError | 'missing',
  options: ChallengeOptions,
): Response {
  const headers = new Headers({ 'Cache-Control': 'no-store' })
  if (error === 'missing') {
    headers.set('WWW-Authenticate', challengeHeader(options))
    return new Response(null, { status: 401, headers })
  }
  if (!(error instanceof OAuthError)) throw new TypeError('challengeResponse needs an OAuthError')
  if (error.code === 'insufficient_scope' && (options.scope ?? []).length === 0) {
    throw new TypeError('an insufficient_scope challenge must name the scopes the call needs')
  }
  if (CHALLENGED.has(error.code)) {
    const header = challengeHeader({
      ...options,
      error: error.code,
      errorDescription: error.description,
    })
    headers.set('WWW-Authenticate', header)
  }
  headers.set('Content-Type', 'application/json')
  return new Response(JSON.stringify(error.toResponseObject()), { status: error.status, headers })
}
