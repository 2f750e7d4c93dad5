import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { DomainError } from '../../domain/index.js'
import { ARTIFACT_MODELS, GRANT_BOUND_MODELS, SECRET_ID_MODELS } from '../ports.js'
import type {
  ArtifactModel,
  ArtifactPayload,
  ArtifactStore,
  ConsumeResult,
  StoredArtifact,
} from '../ports.js'
import type { Database, OauthArtifactsTable } from './database.js'

/** Milliseconds since the epoch; injected so tests can move time. */
export type MillisClock = () => number

const MODELS: ReadonlySet<string> = new Set(ARTIFACT_MODELS)
const MAX_KEY_CHARS = 4096

/** SHA-256, base64url: the only form in which an id, uid or user code is stored. */
export function artifactKeyHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url')
}

function checkModel(model: string): void {
  if (!MODELS.has(model)) throw new DomainError('invalid_input', `unknown artifact model ${model}`)
}

function checkKey(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_CHARS) {
    throw new DomainError('invalid_input', `${field} must be 1-${MAX_KEY_CHARS} characters`)
  }
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined

const toMillis = (value: number | string | null): number | undefined =>
  value === null ? undefined : Number(value)

type Row = Pick<OauthArtifactsTable, 'payload'> & {
  expires_at: number | string | null
  consumed_at: number | string | null
}

function toArtifact(row: Row, model: ArtifactModel, id: string | undefined): StoredArtifact {
  const payload = JSON.parse(row.payload) as ArtifactPayload
  // `jti` is the id itself: not stored for secret ids, put back from what was presented.
  if (id !== undefined && SECRET_ID_MODELS.has(model)) payload.jti = id
  return {
    payload,
    expiresAt: toMillis(row.expires_at),
    consumedAt: toMillis(row.consumed_at),
  }
}

/**
 * The Kysely `ArtifactStore` (ports.ts) over `oauth_artifacts`, one implementation for SQLite
 * and PostgreSQL. Every statement is a single one, so `consume` is atomic in both: a
 * conditional UPDATE that only the first of concurrent callers can match.
 */
export function createArtifactStore(db: Kysely<Database>, now: MillisClock): ArtifactStore {
  const live = (at: number) =>
    db
      .selectFrom('oauth_artifacts')
      .select(['payload', 'expires_at', 'consumed_at'])
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))

  /** The newest live artifact of a model by a hashed uid or user code. */
  const findBySecondary = async (
    model: ArtifactModel,
    column: 'uid_hash' | 'user_code_hash',
    label: string,
    value: string,
  ) => {
    checkModel(model)
    checkKey(label, value)
    const row = await live(now())
      .where('model', '=', model)
      .where(column, '=', artifactKeyHash(value))
      .orderBy('expires_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row === undefined ? undefined : toArtifact(row, model, undefined)
  }

  return {
    async upsert(model, id, payload, expiresInSeconds) {
      checkModel(model)
      checkKey('id', id)
      if (
        expiresInSeconds !== undefined &&
        (!Number.isFinite(expiresInSeconds) || expiresInSeconds < 0)
      ) {
        throw new DomainError('invalid_input', 'expiresInSeconds must be a non-negative number')
      }
      const { jti: _jti, ...withoutId } = payload
      const stored = SECRET_ID_MODELS.has(model) ? withoutId : payload
      const uid = optionalString(payload.uid)
      const userCode = optionalString(payload.userCode)
      const grantId = GRANT_BOUND_MODELS.has(model) ? optionalString(payload.grantId) : undefined
      const values = {
        uid_hash: uid === undefined ? null : artifactKeyHash(uid),
        user_code_hash: userCode === undefined ? null : artifactKeyHash(userCode),
        grant_id: grantId ?? null,
        payload: JSON.stringify(stored),
        expires_at:
          expiresInSeconds === undefined ? null : now() + Math.round(expiresInSeconds * 1000),
      }
      // On conflict everything is replaced but consumed_at: single use is never undone.
      await db
        .insertInto('oauth_artifacts')
        .values({ model, id_hash: artifactKeyHash(id), consumed_at: null, ...values })
        .onConflict((oc) => oc.columns(['model', 'id_hash']).doUpdateSet(values))
        .execute()
    },

    async find(model, id) {
      checkModel(model)
      checkKey('id', id)
      const row = await live(now())
        .where('model', '=', model)
        .where('id_hash', '=', artifactKeyHash(id))
        .executeTakeFirst()
      return row === undefined ? undefined : toArtifact(row, model, id)
    },

    findByUid: (model, uid) => findBySecondary(model, 'uid_hash', 'uid', uid),

    findByUserCode: (model, userCode) =>
      findBySecondary(model, 'user_code_hash', 'userCode', userCode),

    async consume(model, id): Promise<ConsumeResult> {
      checkModel(model)
      checkKey('id', id)
      const at = now()
      const idHash = artifactKeyHash(id)
      const result = await db
        .updateTable('oauth_artifacts')
        .set({ consumed_at: at })
        .where('model', '=', model)
        .where('id_hash', '=', idHash)
        .where('consumed_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
        .executeTakeFirst()
      if (result.numUpdatedRows > 0n) return 'consumed'
      const existing = await live(at)
        .where('model', '=', model)
        .where('id_hash', '=', idHash)
        .executeTakeFirst()
      return existing === undefined ? 'not_found' : 'already_consumed'
    },

    async destroy(model, id) {
      checkModel(model)
      checkKey('id', id)
      await db
        .deleteFrom('oauth_artifacts')
        .where('model', '=', model)
        .where('id_hash', '=', artifactKeyHash(id))
        .execute()
    },

    async revokeByGrantId(grantId, model?: ArtifactModel) {
      checkKey('grantId', grantId)
      if (model !== undefined) checkModel(model)
      let query = db.deleteFrom('oauth_artifacts').where('grant_id', '=', grantId)
      if (model !== undefined) query = query.where('model', '=', model)
      const result = await query.executeTakeFirst()
      return Number(result.numDeletedRows)
    },

    async sweepExpired(at, limit) {
      if (!Number.isInteger(limit) || limit < 1) {
        throw new DomainError('invalid_input', 'limit must be a positive whole number')
      }
      const cutoff = at.getTime()
      const result = await db
        .deleteFrom('oauth_artifacts')
        .where((eb) =>
          eb(
            eb.refTuple('model', 'id_hash'),
            'in',
            eb
              .selectFrom('oauth_artifacts')
              .select(['model', 'id_hash'])
              .where('expires_at', '<=', cutoff)
              .limit(limit)
              .$asTuple('model', 'id_hash'),
          ),
        )
        .where('expires_at', '<=', cutoff)
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
