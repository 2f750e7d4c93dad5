import { OAuthError } from '../protocol/index.js'

/** RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
/** RFC 7235 §2.1 credentials: auth-scheme 1*SP token68; the scheme is case-insensitive. */
const CREDENTIALS = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)( +)(.*)$/s
/** Far above any real access token; bounds the work done on hostile input. */
const MAX_TOKEN_LENGTH = 16_384

/**
 * The request carries no credentials at all. RFC 6750 §3.1: the answer is a 401 challenge WITHOUT
 * an error code, so this is deliberately not an OAuthError.
 */
export class MissingCredentialsError extends Error {
  constructor() {
    super('the request carries no access token')
    this.name = 'MissingCredentialsError'
  }
}

function refused(description: string, detail: string): OAuthError {
  return new OAuthError('invalid_request', description, { detail })
}

function isFormBody(request: Request): boolean {
  const type = request.headers.get('content-type') ?? ''
  return type.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded'
}

function hasQueryToken(request: Request): boolean {
  // Only the presence of the parameter is checked: its value is never read (TOK-2).
  return URL.canParse(request.url) && new URL(request.url).searchParams.has('access_token')
}

/**
 * Reads the bearer token from the `Authorization` header, the only method this resource server
 * supports (RFC 6750 §2.1; MCP: tokens never in the query string, TOK-1/TOK-2).
 *
 * - no header and no token elsewhere → {@link MissingCredentialsError} (401 without error code);
 * - a token in the query string (`access_token`, RFC 6750 §2.3) or a form-encoded body
 *   (RFC 6750 §2.2; the body is never read) → `invalid_request` (400);
 * - several headers, several methods, another scheme, zero or several tokens, or a token outside
 *   the b64token grammar → `invalid_request` (400).
 */
export function extractBearerToken(request: Request): string {
  const header = request.headers.get('authorization')
  const inQuery = hasQueryToken(request)
  if (inQuery) {
    throw refused(
      'access tokens are accepted only in the Authorization header',
      header === null ? 'access_token in query string' : 'token in header and query string',
    )
  }
  if (isFormBody(request)) {
    throw refused(
      'access tokens are accepted only in the Authorization header; form bodies are refused',
      'form-encoded body on a protected resource',
    )
  }
  if (header === null) throw new MissingCredentialsError()
  const match = CREDENTIALS.exec(header)
  if (match === null) throw refused('malformed Authorization header', 'no auth-scheme')
  const [, scheme = '', , rest = ''] = match
  if (scheme.toLowerCase() !== 'bearer') {
    throw refused('only the Bearer authentication scheme is accepted', `scheme ${scheme}`)
  }
  if (rest.length === 0 || rest.length > MAX_TOKEN_LENGTH) {
    throw refused('malformed Authorization header', 'empty or oversized token')
  }
  // Several Authorization headers are joined with ", " by Headers; neither "," nor " " is b64token.
  if (!B64TOKEN.test(rest)) {
    throw refused('malformed Authorization header', 'token outside b64token or several values')
  }
  return rest
}
