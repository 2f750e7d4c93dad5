import { ExpiringLru } from '../protocol/index.js'
import { ARTIFACT_MODELS } from '../../storage/ports.js'
import type { ArtifactModel, ArtifactPayload, ArtifactStore } from '../../storage/ports.js'
import { InvalidGrantError } from './grant-error.js'

/** A payload as oidc-provider hands it over and expects it back (plus `consumed`). */
export type AdapterPayload = ArtifactPayload

/** The methods oidc-provider calls on the adapter of one model. */
export interface OidcAdapter {
  upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>
  find(id: string): Promise<AdapterPayload | undefined>
  findByUid(uid: string): Promise<AdapterPayload | undefined>
  findByUserCode(userCode: string): Promise<AdapterPayload | undefined>
  consume(id: string): Promise<void>
  destroy(id: string): Promise<void>
  revokeByGrantId(grantId: string): Promise<void>
}

/** oidc-provider's `adapter` setting: constructed once per model name. */
export type OidcAdapterClass = new (name: string) => OidcAdapter

export interface AdapterOptions {
  /**
   * What a `consume` that lost the race does (another request consumed the artifact first, the
   * engine having read it unconsumed). Default: throw `invalid_grant`, so of concurrent
   * redemptions of one code or refresh token exactly one proceeds. The refresh grace window
   * of the wiring replaces this for `RefreshToken`.
   */
  onAlreadyConsumed?: (model: ArtifactModel, payload: AdapterPayload | undefined) => Promise<void>
  /**
   * Sees every payload `find` returns and may hide it (undefined): the refresh grace window
   * hides a refresh token consumed moments ago, so the engine answers "not found" instead of
   * revoking the grant, and the wiring answers from the rotation it raced with.
   */
  onFound?: (model: ArtifactModel, payload: AdapterPayload) => AdapterPayload | undefined
  /** Rewrites a payload before it is stored (client secrets become hashes, DCR clients are marked). */
  beforeUpsert?: (
    model: ArtifactModel,
    payload: AdapterPayload,
    expiresIn: number | undefined,
  ) => { payload: AdapterPayload; expiresIn: number | undefined }
  /**
   * How long (ms) a client found in the store is answered from memory (0 or absent: never).
   * Every request to the engine looks its client up, and on PostgreSQL that is a round trip.
   * A change made through this adapter (registration update, deletion) drops the entry at
   * once; one made elsewhere (`mcp-pa clients revoke`, another instance) shows within the TTL.
   */
  clientCacheMs?: number
  /** Most clients kept in memory (default 1000); the least recently used goes first. */
  clientCacheSize?: number
  /** Milliseconds since the epoch; a test seam for the client cache. */
  now?: () => number
}

const MODELS: ReadonlySet<string> = new Set(ARTIFACT_MODELS)

function artifactModel(name: string): ArtifactModel {
  if (!MODELS.has(name)) throw new Error(`oidc-provider asked for an unknown model ${name}`)
  return name as ArtifactModel
}

const EPOCH_SECONDS = (millis: number): number => Math.floor(millis / 1000)

/**
 * The oidc-provider adapter over the `ArtifactStore` port: give the returned class as the
 * provider's `adapter`. It translates the engine's conventions to the port's: `consumed` is
 * epoch seconds in the payload (the store keeps it in its own column, so re-saving a payload
 * never clears it), and ids come back from `find` as the payload's `jti` without being stored.
 * Expiry is the store's; oidc-provider checks `exp` in the payload again.
 */
export function createAdapterFactory(
  store: ArtifactStore,
  options: AdapterOptions = {},
): OidcAdapterClass {
  const alreadyConsumed =
    options.onAlreadyConsumed ??
    (async (model: ArtifactModel) => {
      throw new InvalidGrantError(`${model} already consumed`)
    })

  const toPayload = (
    found: { payload: AdapterPayload; consumedAt: number | undefined } | undefined,
  ): AdapterPayload | undefined => {
    if (found === undefined) return undefined
    if (found.consumedAt === undefined) return found.payload
    return { ...found.payload, consumed: EPOCH_SECONDS(found.consumedAt) }
  }

  const clientTtl = options.clientCacheMs ?? 0
  const now = options.now ?? Date.now
  // Kept as JSON text and parsed on every hit: each caller gets its own object, so no caller's
  // mutation can reach the cache (and parsing is cheaper than a structured clone).
  const clients =
    clientTtl > 0 ? new ExpiringLru<string>(options.clientCacheSize ?? 1000) : undefined

  return class ArtifactAdapter implements OidcAdapter {
    readonly model: ArtifactModel

    constructor(name: string) {
      this.model = artifactModel(name)
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const { consumed: _consumed, ...rest } = payload
      const stored = options.beforeUpsert?.(this.model, rest, expiresIn) ?? {
        payload: rest,
        expiresIn,
      }
      if (this.model === 'Client') clients?.delete(id)
      await store.upsert(this.model, id, stored.payload, stored.expiresIn)
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = await this.lookup(id)
      if (found === undefined || options.onFound === undefined) return found
      return options.onFound(this.model, found)
    }

    /** The stored payload; clients from the cache while their entry lasts. */
    private async lookup(id: string): Promise<AdapterPayload | undefined> {
      if (this.model !== 'Client' || clients === undefined) {
        return toPayload(await store.find(this.model, id))
      }
      const cached = clients.get(id, now())
      if (cached !== undefined) return JSON.parse(cached) as AdapterPayload
      const found = toPayload(await store.find(this.model, id))
      if (found !== undefined) {
        const at = now()
        clients.set(id, JSON.stringify(found), at + clientTtl, at)
      }
      return found
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return toPayload(await store.findByUid(this.model, uid))
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return toPayload(await store.findByUserCode(this.model, userCode))
    }

    async consume(id: string): Promise<void> {
      const result = await store.consume(this.model, id)
      if (result === 'consumed') return
      // Gone (expired or revoked since the engine read it) or consumed by another request:
      // either way this request must not go on to issue anything.
      const found = result === 'already_consumed' ? await this.find(id) : undefined
      if (result === 'already_consumed') await alreadyConsumed(this.model, found)
      else throw new InvalidGrantError(`${this.model} not found`)
    }

    async destroy(id: string): Promise<void> {
      if (this.model === 'Client') clients?.delete(id)
      await store.destroy(this.model, id)
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeByGrantId(grantId, this.model)
    }
  }
}
