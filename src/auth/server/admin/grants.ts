import type { ArtifactStore, StoredArtifact } from '../../../storage/ports.js'
import { tokenFingerprint } from '../../protocol/secrets.js'
import { AdminError } from './errors.js'
import type { AdminContext } from './errors.js'

/** One grant (oidc-provider's `Grant`: what an account allowed a client). Times epoch ms. */
export interface GrantSummary {
  /** The grant id: not a bearer secret (it cannot be used as a token), safe to show. */
  grantId: string
  accountId?: string
  clientId?: string
  /** Every scope granted: OpenID scopes and the scopes granted per resource, sorted. */
  scopes: string[]
  /** The resources (RFC 8707) tokens of this grant are for. */
  resources: string[]
  issuedAt?: number
  expiresAt?: number
}

export interface GrantFilter {
  /** The account id (the `sub`), not the username. */
  accountId?: string
  clientId?: string
  /** At most this many (the store's default 100, at most 1000). */
  limit?: number
}

export interface GrantRevocation {
  /** The grant as it was, when its `Grant` artifact still existed. */
  grant?: GrantSummary
  /** Tokens and codes of the grant deleted with it. */
  tokens: number
}

const MAX_GRANT_ID_CHARS = 512
const BATCH = 1000

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined

const scopesOf = (value: unknown): string[] =>
  typeof value === 'string' ? value.split(' ').filter((s) => s !== '') : []

function summarise({ payload, expiresAt }: StoredArtifact): GrantSummary | undefined {
  const grantId = optionalString(payload.jti)
  if (grantId === undefined) return undefined
  const scopes = new Set<string>()
  const openid = payload.openid as { scope?: unknown } | undefined
  for (const scope of scopesOf(openid?.scope)) scopes.add(scope)
  const perResource = (payload.resources ?? {}) as Record<string, unknown>
  const resources = typeof perResource === 'object' ? Object.keys(perResource).sort() : []
  for (const resource of resources) {
    for (const scope of scopesOf(perResource[resource])) scopes.add(scope)
  }
  const accountId = optionalString(payload.accountId)
  const clientId = optionalString(payload.clientId)
  const iat = payload.iat
  return {
    grantId,
    ...(accountId === undefined ? {} : { accountId }),
    ...(clientId === undefined ? {} : { clientId }),
    scopes: [...scopes].sort(),
    resources,
    ...(typeof iat === 'number' ? { issuedAt: iat * 1000 } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  }
}

function checkFilterValue(value: string | undefined, what: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new AdminError('invalid_input', `${what} must not be empty`)
  }
}

/** Unexpired grants, newest first, optionally of one account and/or one client. */
export async function listGrants(
  store: ArtifactStore,
  filter: GrantFilter = {},
): Promise<GrantSummary[]> {
  checkFilterValue(filter.accountId, 'the account')
  checkFilterValue(filter.clientId, 'the client')
  const stored = await store.list('Grant', filter)
  return stored.map(summarise).filter((g): g is GrantSummary => g !== undefined)
}

/** Deletes the grant's tokens and codes, then the grant itself; returns how many tokens went. */
async function deleteGrant(store: ArtifactStore, grantId: string): Promise<number> {
  const tokens = await store.revokeByGrantId(grantId)
  await store.destroy('Grant', grantId)
  return tokens
}

function audited(context: AdminContext, grantId: string, clientId: string | undefined): void {
  context.audit.emit({
    type: 'as.token_revoked',
    clientId: clientId ?? 'unknown',
    kind: 'grant',
    fingerprint: tokenFingerprint(grantId),
    by: 'admin',
  })
}

/**
 * Revokes one grant: every access token, refresh token and code issued under it, then the
 * grant (so the next authorization asks for consent again). Emits `as.token_revoked` (kind
 * `grant`, by `admin`); `not_found` when neither the grant nor anything of it exists.
 */
export async function revokeGrant(
  store: ArtifactStore,
  grantId: string,
  context: AdminContext,
): Promise<GrantRevocation> {
  if (
    typeof grantId !== 'string' ||
    grantId.length === 0 ||
    grantId.length > MAX_GRANT_ID_CHARS ||
    /\s/u.test(grantId)
  ) {
    throw new AdminError('invalid_input', 'give the full grant id, as "grants list" shows it')
  }
  const found = await store.find('Grant', grantId)
  const grant = found === undefined ? undefined : summarise(found)
  const tokens = await deleteGrant(store, grantId)
  if (found === undefined && tokens === 0) {
    throw new AdminError(
      'not_found',
      `there is no grant ${grantId}: "grants list" shows the current ones`,
    )
  }
  audited(context, grantId, grant?.clientId)
  return grant === undefined ? { tokens } : { grant, tokens }
}

/**
 * Revokes every grant of an account and/or client (at least one must be given), in batches, and
 * emits `as.token_revoked` for each; returns how many grants and tokens went.
 */
export async function revokeGrantsWhere(
  store: ArtifactStore,
  filter: { accountId?: string; clientId?: string },
  context: AdminContext,
): Promise<{ grants: number; tokens: number }> {
  if (filter.accountId === undefined && filter.clientId === undefined) {
    throw new TypeError('revokeGrantsWhere needs an account or a client')
  }
  let tokens = 0
  // A grant stored under another id than its jti would come back forever: each id once.
  const done = new Set<string>()
  for (;;) {
    const batch = (await store.list('Grant', { ...filter, limit: BATCH }))
      .map(summarise)
      .filter((g): g is GrantSummary => g !== undefined && !done.has(g.grantId))
    if (batch.length === 0) return { grants: done.size, tokens }
    for (const grant of batch) {
      done.add(grant.grantId)
      tokens += await deleteGrant(store, grant.grantId)
      audited(context, grant.grantId, grant.clientId)
    }
  }
}
