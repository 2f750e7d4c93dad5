import { canonicalResourceUri, sha256Hex } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'
import type {
  ClientRegistration,
  CredentialSummary,
  RegistrationMethod,
  StoreKey,
  StoredCredentials,
} from './types.js'

/**
 * Keys, ids and the shape of stored records, shared by both backends. Every record carries the
 * issuer (and resource) it belongs to; readers check them against the key they asked for, so a
 * value moved to another key's slot is refused rather than used with the wrong AS (TOK-6).
 */

/** Checks an issuer identifier: an absolute URL, compared exactly (never normalised). */
export function checkIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string' || !URL.canParse(issuer)) {
    throw new TypeError('a token store issuer must be an absolute URL')
  }
  return issuer
}

/** The issuer as given, the resource in canonical form (RFC 8707 §2). */
export function normalizeKey(key: StoreKey): StoreKey {
  if (typeof key !== 'object' || key === null) throw new TypeError('a token store key is needed')
  return { issuer: checkIssuer(key.issuer), resource: canonicalResourceUri(key.resource) }
}

/** A stable, non-reversible name for the credentials of a key (keychain account, file name). */
export function tokenId(key: StoreKey): string {
  return `tok-${sha256Hex(JSON.stringify(['token', key.issuer, key.resource])).slice(0, 40)}`
}

/** A stable name for the client registration at an issuer, in its own namespace. */
export function clientId(issuer: string): string {
  return `cli-${sha256Hex(JSON.stringify(['client', issuer])).slice(0, 40)}`
}

const METHODS: ReadonlySet<RegistrationMethod> = new Set([
  'pre_registered',
  'client_id_metadata_document',
  'dynamic_registration',
])

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0
const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v)

/** Names the first field that is wrong (never its value), or undefined. */
function credentialsProblem(c: Partial<StoredCredentials>): string | undefined {
  if (typeof c !== 'object' || c === null) return 'not an object'
  if (!nonEmpty(c.access_token)) return 'access_token'
  if (!optional(c.refresh_token, nonEmpty)) return 'refresh_token'
  if (typeof c.expires_at !== 'number' || !Number.isFinite(c.expires_at)) return 'expires_at'
  if (typeof c.scope !== 'string') return 'scope'
  if (!nonEmpty(c.token_type)) return 'token_type'
  if (!optional(c.account, (v) => typeof v === 'string')) return 'account'
  return undefined
}

function registrationProblem(r: Partial<ClientRegistration>): string | undefined {
  if (typeof r !== 'object' || r === null) return 'not an object'
  if (typeof r.issuer !== 'string' || !URL.canParse(r.issuer)) return 'issuer'
  if (!nonEmpty(r.client_id)) return 'client_id'
  if (!optional(r.client_secret, nonEmpty)) return 'client_secret'
  if (!METHODS.has(r.method as RegistrationMethod)) return 'method'
  if (!Array.isArray(r.redirect_uris) || !r.redirect_uris.every(nonEmpty)) return 'redirect_uris'
  if (typeof r.registered_at !== 'number' || !Number.isFinite(r.registered_at)) {
    return 'registered_at'
  }
  return undefined
}

/** A copy with only the known fields; throws TypeError (naming the field) on bad input. */
export function cleanCredentials(c: StoredCredentials): StoredCredentials {
  const problem = credentialsProblem(c)
  if (problem !== undefined) throw new TypeError(`invalid credentials: ${problem}`)
  const out: StoredCredentials = {
    access_token: c.access_token,
    expires_at: c.expires_at,
    scope: c.scope,
    token_type: c.token_type,
  }
  if (c.refresh_token !== undefined) out.refresh_token = c.refresh_token
  if (c.account !== undefined) out.account = c.account
  return out
}

export function cleanRegistration(r: ClientRegistration): ClientRegistration {
  const problem = registrationProblem(r)
  if (problem !== undefined) throw new TypeError(`invalid client registration: ${problem}`)
  const out: ClientRegistration = {
    issuer: r.issuer,
    client_id: r.client_id,
    method: r.method,
    redirect_uris: [...r.redirect_uris],
    registered_at: r.registered_at,
  }
  if (r.client_secret !== undefined) out.client_secret = r.client_secret
  return out
}

/** What is serialised (and, in the file backend, encrypted) for one key. */
export type StoredRecord =
  | { v: 1; kind: 'token'; issuer: string; resource: string; credentials: StoredCredentials }
  | { v: 1; kind: 'client'; issuer: string; registration: ClientRegistration }

export function tokenRecord(key: StoreKey, credentials: StoredCredentials): StoredRecord {
  return { v: 1, kind: 'token', issuer: key.issuer, resource: key.resource, credentials }
}

export function clientRecord(registration: ClientRegistration): StoredRecord {
  return { v: 1, kind: 'client', issuer: registration.issuer, registration }
}

/**
 * Parses a stored record and checks that it belongs where it was found. `where` names the
 * file or keychain entry in the error; the content is never quoted.
 */
export function parseRecord(text: string, where: string): StoredRecord {
  const corrupt = (what: string) =>
    new TokenStoreError('corrupt', `${where} is not a valid mcp-pa credential record (${what})`)
  let value: Partial<StoredRecord> & Record<string, unknown>
  try {
    value = JSON.parse(text) as typeof value
  } catch {
    throw corrupt('not JSON')
  }
  if (typeof value !== 'object' || value === null || value.v !== 1) throw corrupt('version')
  if (value.kind === 'token') {
    const { issuer, resource, credentials } = value as Record<string, unknown>
    if (typeof issuer !== 'string' || typeof resource !== 'string') throw corrupt('key')
    const problem = credentialsProblem(credentials as StoredCredentials)
    if (problem !== undefined) throw corrupt(problem)
    return tokenRecord({ issuer, resource }, cleanCredentials(credentials as StoredCredentials))
  }
  if (value.kind === 'client') {
    const registration = value.registration as ClientRegistration
    const problem = registrationProblem(registration)
    if (problem !== undefined) throw corrupt(problem)
    if (registration.issuer !== value.issuer) throw corrupt('issuer')
    return clientRecord(cleanRegistration(registration))
  }
  throw corrupt('kind')
}

/** The record's credentials if it is the token record of exactly `key`, else a corrupt error. */
export function credentialsFor(record: StoredRecord, key: StoreKey, where: string) {
  if (record.kind !== 'token' || record.issuer !== key.issuer || record.resource !== key.resource) {
    throw new TokenStoreError(
      'corrupt',
      `${where} belongs to another server or issuer; refusing it`,
    )
  }
  return record.credentials
}

export function registrationFor(record: StoredRecord, issuer: string, where: string) {
  if (record.kind !== 'client' || record.issuer !== issuer) {
    throw new TokenStoreError('corrupt', `${where} belongs to another issuer; refusing it`)
  }
  return record.registration
}

/** Metadata only: never a token value. */
export function summarize(key: StoreKey, c: StoredCredentials): CredentialSummary {
  const summary: CredentialSummary = {
    issuer: key.issuer,
    resource: key.resource,
    expires_at: c.expires_at,
    scopes: c.scope.split(' ').filter((s) => s.length > 0),
    has_refresh_token: c.refresh_token !== undefined,
  }
  if (c.account !== undefined) summary.account = c.account
  return summary
}

/** Orders summaries by issuer, then resource. */
export function bySummaryKey(a: CredentialSummary, b: CredentialSummary): number {
  if (a.issuer !== b.issuer) return a.issuer < b.issuer ? -1 : 1
  return a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0
}
