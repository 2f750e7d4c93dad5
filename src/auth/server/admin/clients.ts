import type { ArtifactStore, StoredArtifact } from '../../../storage/ports.js'
import { buildClientMetadata, CLIENT_ORIGIN_FIELD } from './client-metadata.js'
import type { ClientMetadata, ClientPolicy, NewClientInput } from './client-metadata.js'
import { AdminError, clockOf } from './errors.js'
import type { AdminContext } from './errors.js'
import { revokeGrantsWhere } from './grants.js'

/** What `showClient` prints in place of the stored secret hash. */
export const HASHED_SECRET_PLACEHOLDER = '(hashed)'

/** One stored client, as listed. Times are epoch milliseconds. */
export interface ClientSummary {
  clientId: string
  name?: string
  /** `admin`, `dcr`, or `unknown` for a client stored without the field. */
  origin: string
  authMethod: string
  grantTypes: string[]
  redirectUris: string[]
  applicationType?: string
  issuedAt?: number
  /** When a dynamically registered client is reaped, if it is. */
  expiresAt?: number
}

export interface AddedClient {
  /** The stored metadata, with the secret hash replaced by `(hashed)`. */
  client: ClientMetadata
  /** The plain client secret for `client_secret_*` methods: shown once, never stored. */
  secret?: string
}

export interface ClientRevocation {
  /** Whether a stored client was deleted (false for a client known only by its grants). */
  clientDeleted: boolean
  /** Grants revoked, with every token and code issued under them. */
  grants: number
  tokens: number
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined

/** The metadata without its secret hash: what may be printed or returned. */
function redact(metadata: ClientMetadata): ClientMetadata {
  if (metadata.client_secret === undefined) return { ...metadata }
  return { ...metadata, client_secret: HASHED_SECRET_PLACEHOLDER }
}

function summarise({ payload, expiresAt }: StoredArtifact): ClientSummary {
  const issued = payload.client_id_issued_at
  const name = optionalString(payload.client_name)
  const applicationType = optionalString(payload.application_type)
  return {
    clientId: String(payload.client_id),
    ...(name === undefined ? {} : { name }),
    origin: optionalString(payload[CLIENT_ORIGIN_FIELD]) ?? 'unknown',
    authMethod: optionalString(payload.token_endpoint_auth_method) ?? 'client_secret_basic',
    grantTypes: strings(payload.grant_types ?? ['authorization_code']),
    redirectUris: strings(payload.redirect_uris),
    ...(applicationType === undefined ? {} : { applicationType }),
    ...(typeof issued === 'number' ? { issuedAt: issued * 1000 } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  }
}

/**
 * Adds a client (`buildClientMetadata` checks it, against `policy`: pass the configured
 * `authentication.client_auth_methods`) that never expires, and emits `as.client_registered`
 * (via `admin`). `conflict` when the client id is taken.
 */
export async function addClient(
  store: ArtifactStore,
  input: NewClientInput,
  context: AdminContext,
  policy: ClientPolicy = {},
): Promise<AddedClient> {
  const { metadata, secret: generated } = buildClientMetadata(input, clockOf(context), policy)
  const clientId = String(metadata.client_id)
  if ((await store.find('Client', clientId)) !== undefined) {
    throw new AdminError('conflict', `a client with id ${clientId} already exists`)
  }
  await store.upsert('Client', clientId, metadata)
  context.audit.emit({
    type: 'as.client_registered',
    clientId,
    via: 'admin',
    authMethod: String(metadata.token_endpoint_auth_method),
  })
  const client = redact(metadata)
  return generated === undefined ? { client } : { client, secret: generated }
}

/**
 * Stored clients (added here or registered dynamically), newest first; at most `limit` (the
 * store's default 100, at most 1000). Clients identified by a metadata document are not stored.
 */
export async function listClients(
  store: ArtifactStore,
  options: { limit?: number } = {},
): Promise<ClientSummary[]> {
  const stored = await store.list('Client', options)
  return stored.map(summarise)
}

/** A stored client's metadata with the secret hash shown as `(hashed)`; undefined when unknown. */
export async function showClient(
  store: ArtifactStore,
  clientId: string,
): Promise<ClientMetadata | undefined> {
  if (typeof clientId !== 'string' || clientId.length === 0) return undefined
  const found = await store.find('Client', clientId)
  return found === undefined ? undefined : redact(found.payload)
}

/**
 * Deletes the client, then revokes every grant it holds (their tokens and codes with them), so
 * it can neither authenticate nor refresh. Works on a client known only by its grants (a
 * client ID metadata document URL). Emits `as.client_revoked`; `not_found` when there was
 * neither a client nor a grant.
 */
export async function revokeClient(
  store: ArtifactStore,
  clientId: string,
  context: AdminContext,
): Promise<ClientRevocation> {
  if (typeof clientId !== 'string' || clientId.length === 0 || clientId.length > 4096) {
    throw new AdminError('invalid_input', 'give the client id to revoke')
  }
  const clientDeleted = (await store.find('Client', clientId)) !== undefined
  // The client goes first: no new grant can start while its grants are revoked.
  if (clientDeleted) await store.destroy('Client', clientId)
  const { grants, tokens } = await revokeGrantsWhere(store, { clientId }, context)
  if (!clientDeleted && grants === 0) {
    throw new AdminError('not_found', `there is no client ${clientId} (and no grant to it)`)
  }
  context.audit.emit({ type: 'as.client_revoked', clientId, grants })
  return { clientDeleted, grants, tokens }
}
