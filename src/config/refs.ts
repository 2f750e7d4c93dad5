/**
 * Secret references and the small URL and host predicates the schema, the loader and the
 * resolver share. Nothing here ever returns or echoes the value it was given.
 */
import { isIP } from 'node:net'
import { isAbsolute } from 'node:path'

/** A reference to a secret, never the secret itself. */
export type SecretRef = `env:${string}` | `file:${string}` | `gcp-sm://${string}`
/** A PostgreSQL URL; written literally only when it carries no password. */
export type PostgresUrl = `postgres://${string}` | `postgresql://${string}`

/** The reference forms, as written in errors and docs. */
export const SECRET_REF_FORMS =
  'env:NAME, file:/absolute/path or gcp-sm://projects/P/secrets/S[/versions/V]'

export const SECRET_REF_FIX = `use a reference instead of the value: ${SECRET_REF_FORMS} (the value given is not shown)`

export type ParsedSecretRef =
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'gcp-sm'; readonly resource: string }

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const GCP_SM = /^gcp-sm:\/\/projects\/([^/\s]+)\/secrets\/([^/\s]+)(?:\/versions\/(latest|\d+))?$/

/** Parses a reference; `undefined` when the value is not a well-formed reference. */
export function parseSecretRef(value: string): ParsedSecretRef | undefined {
  if (value.startsWith('env:')) {
    const name = value.slice(4)
    return ENV_NAME.test(name) ? { kind: 'env', name } : undefined
  }
  if (value.startsWith('file:')) {
    const path = value.slice(5)
    return isAbsolute(path) ? { kind: 'file', path } : undefined
  }
  const gcp = GCP_SM.exec(value)
  if (gcp) {
    const [, project, secret, version = 'latest'] = gcp
    return { kind: 'gcp-sm', resource: `projects/${project}/secrets/${secret}/versions/${version}` }
  }
  return undefined
}

export function isSecretRef(value: string): value is SecretRef {
  return parseSecretRef(value) !== undefined
}

/** Why a value is not a valid reference, worded without the value. */
export function secretRefProblem(value: unknown): string {
  if (typeof value !== 'string') return 'expected a secret reference'
  if (value.startsWith('env:'))
    return 'an env: reference needs a variable name (letters, digits, _)'
  if (value.startsWith('file:')) return 'a file: reference needs an absolute path'
  if (value.startsWith('gcp-sm:')) {
    return 'a gcp-sm reference must look like gcp-sm://projects/P/secrets/S[/versions/V]'
  }
  if ((isPostgresUrl(value) || isRedisUrl(value)) && urlHasPassword(value)) {
    return 'a connection string with a password must not be written literally'
  }
  return 'a literal value is not allowed in a secret field'
}

export function isPostgresUrl(value: string): value is PostgresUrl {
  return /^postgres(?:ql)?:\/\//i.test(value)
}

/** True when a URL carries a password, in its user info or as a `password` query parameter. */
export function urlHasPassword(value: string): boolean {
  try {
    const url = new URL(value)
    return url.password !== '' || url.searchParams.has('password')
  } catch {
    // Unparseable: assume the worst when it looks like user:password@.
    return /\/\/[^/@]*:[^/]*@/.test(value) || /[?&]password=/i.test(value)
  }
}

/** A PostgreSQL URL without a password may be written literally in the file. */
export function isPasswordlessPostgresUrl(value: string): value is PostgresUrl {
  return isPostgresUrl(value) && !urlHasPassword(value) && URL.canParse(value)
}

export function isRedisUrl(value: string): boolean {
  return /^rediss?:\/\//i.test(value)
}

export function isPasswordlessRedisUrl(value: string): boolean {
  return isRedisUrl(value) && !urlHasPassword(value) && URL.canParse(value)
}

/** localhost, 127.0.0.0/8 and ::1 (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true
  if (isIP(bare) === 4) return bare.startsWith('127.')
  if (isIP(bare) === 6) return /^(?:0{0,4}:){2,7}0{0,3}1$/.test(bare) || bare === '::1'
  return false
}

/** Why a URL is unfit for a field that needs https (http only on loopback when allowed). */
export function httpsUrlProblem(value: string, allowLoopbackHttp: boolean): string | undefined {
  if (!URL.canParse(value)) return 'expected an absolute URL such as https://host/path'
  const url = new URL(value)
  if (url.username || url.password) return 'a URL here must not carry credentials'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && allowLoopbackHttp && isLoopbackHost(url.hostname)) {
    return undefined
  }
  return allowLoopbackHttp
    ? `expected an https URL (http is allowed only for loopback hosts), got ${url.protocol}`
    : `expected an https URL, got ${url.protocol}`
}
