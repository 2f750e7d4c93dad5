import { hash } from 'node:crypto'
import { CompiledQuery, PostgresAdapter, SqliteAdapter, sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
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
/** `list` without a limit returns this many artifacts, and never more than the maximum. */
export const ARTIFACT_LIST_DEFAULT_LIMIT = 100
export const ARTIFACT_LIST_MAX_LIMIT = 1000

/** SHA-256, base64url: the only form in which an id, uid or user code is stored. */
export function artifactKeyHash(value: string): string {
  // Node's one-shot digest: no Hash object for each of the several lookups of a request.
  return hash('sha256', value, 'base64url')
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

export type ArtifactDialect = 'sqlite' | 'postgresql'

/**
 * The dialect of a Kysely instance, from its adapter (the payload column is JSON text in both
 * databases, but each reads JSON with its own functions).
 */
function detectDialect(db: Kysely<Database>): ArtifactDialect {
  const { adapter } = db.getExecutor()
  if (adapter instanceof PostgresAdapter) return 'postgresql'
  if (adapter instanceof SqliteAdapter) return 'sqlite'
  throw new TypeError('the artifact store runs on SQLite or PostgreSQL only')
}

/** Reads one top-level member of the JSON payload in SQL; `key` is one of our constants. */
interface PayloadMember {
  /** The member when it is a JSON string, else NULL. */
  text(key: string): RawBuilder<string | null>
  /** The member when it is a JSON number, else NULL. */
  number(key: string): RawBuilder<number | null>
}

const MEMBER_KEY = /^[A-Za-z_]+$/

function payloadMember(dialect: ArtifactDialect): PayloadMember {
  // The keys are literals of this file; the check keeps `sql.lit` from ever seeing input.
  const lit = (key: string) => {
    if (!MEMBER_KEY.test(key)) throw new TypeError(`not a payload member name: ${key}`)
    return dialect === 'sqlite' ? sql.lit(`$.${key}`) : sql.lit(key)
  }
  if (dialect === 'sqlite') {
    return {
      text: (key) =>
        sql`(CASE WHEN json_type(payload, ${lit(key)}) = 'text' THEN json_extract(payload, ${lit(key)}) END)`,
      number: (key) =>
        sql`(CASE WHEN json_type(payload, ${lit(key)}) IN ('integer', 'real') THEN json_extract(payload, ${lit(key)}) END)`,
    }
  }
  // PostgreSQL keeps the payload as text: `json` (not jsonb) parses it without rejecting
  // escapes jsonb refuses, so one odd payload cannot fail the whole listing.
  return {
    text: (key) =>
      sql`(CASE WHEN json_typeof(payload::json -> ${lit(key)}) = 'string' THEN payload::json ->> ${lit(key)} END)`,
    number: (key) =>
      sql`(CASE WHEN json_typeof(payload::json -> ${lit(key)}) = 'number' THEN (payload::json ->> ${lit(key)})::double precision END)`,
  }
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return ARTIFACT_LIST_DEFAULT_LIMIT
  if (!Number.isInteger(limit) || limit < 1 || limit > ARTIFACT_LIST_MAX_LIMIT) {
    throw new DomainError(
      'invalid_input',
      `limit must be a whole number from 1 to ${ARTIFACT_LIST_MAX_LIMIT}`,
    )
  }
  return limit
}

/**
 * The statements every token request runs (find, consume, upsert), as fixed SQL text. The
 * authorization server makes several of these per request, and building each through Kysely's
 * query builder and compiler cost several times what SQLite takes to run it (bench/as.mjs); the
 * text is written once, with `?` placeholders that PostgreSQL gets numbered. Every value is a
 * bound parameter.
 */
const HOT_SQL = {
  find: `SELECT payload, expires_at, consumed_at FROM oauth_artifacts
    WHERE model = ? AND id_hash = ? AND (expires_at IS NULL OR expires_at > ?)`,
  consume: `UPDATE oauth_artifacts SET consumed_at = ?
    WHERE model = ? AND id_hash = ? AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
  // On conflict everything is replaced but consumed_at: single use is never undone.
  upsert: `INSERT INTO oauth_artifacts
      (model, id_hash, uid_hash, user_code_hash, grant_id, payload, expires_at, consumed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
    ON CONFLICT (model, id_hash) DO UPDATE SET uid_hash = excluded.uid_hash,
      user_code_hash = excluded.user_code_hash, grant_id = excluded.grant_id,
      payload = excluded.payload, expires_at = excluded.expires_at`,
} as const

type HotStatement = keyof typeof HOT_SQL

/** The hot statements in a dialect's placeholder syntax. */
function hotStatements(dialect: ArtifactDialect): Record<HotStatement, string> {
  const numbered = (text: string) => {
    let n = 0
    return text.replace(/\?/g, () => `$${++n}`)
  }
  const entries = Object.entries(HOT_SQL).map(([name, text]) => [
    name,
    dialect === 'postgresql' ? numbered(text) : text,
  ])
  return Object.fromEntries(entries) as Record<HotStatement, string>
}

export interface ArtifactStoreOptions {
  dialect?: ArtifactDialect
  /** Runs before each fixed-text statement, which bypasses Kysely plugins (the closed check). */
  beforeQuery?: () => void
}

/**
 * The Kysely `ArtifactStore` (ports.ts) over `oauth_artifacts`, one implementation for SQLite
 * and PostgreSQL. Every statement is a single one, so `consume` is atomic in both: a
 * conditional UPDATE that only the first of concurrent callers can match. `dialect` only
 * matters to `list` (JSON functions); it is read from the Kysely adapter when not given.
 */
export function createArtifactStore(
  db: Kysely<Database>,
  now: MillisClock,
  options: ArtifactStoreOptions = {},
): ArtifactStore {
  const dialect = options.dialect ?? detectDialect(db)
  const member = payloadMember(dialect)
  const hot = hotStatements(dialect)
  const run = <R>(statement: HotStatement, parameters: readonly unknown[]) => {
    options.beforeQuery?.()
    return db.executeQuery<R>(CompiledQuery.raw(hot[statement], [...parameters]))
  }
  const findRow = async (model: ArtifactModel, idHash: string, at: number) =>
    (await run<Row>('find', [model, idHash, at])).rows[0]
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
      await run('upsert', [
        model,
        artifactKeyHash(id),
        uid === undefined ? null : artifactKeyHash(uid),
        userCode === undefined ? null : artifactKeyHash(userCode),
        grantId ?? null,
        JSON.stringify(stored),
        expiresInSeconds === undefined ? null : now() + Math.round(expiresInSeconds * 1000),
      ])
    },

    async find(model, id) {
      checkModel(model)
      checkKey('id', id)
      const row = await findRow(model, artifactKeyHash(id), now())
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
      const result = await run('consume', [at, model, idHash, at])
      if ((result.numAffectedRows ?? 0n) > 0n) return 'consumed'
      return (await findRow(model, idHash, at)) === undefined ? 'not_found' : 'already_consumed'
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

    async list(model, options = {}) {
      checkModel(model)
      const limit = checkLimit(options.limit)
      let query = live(now()).where('model', '=', model)
      for (const field of ['accountId', 'clientId'] as const) {
        const value = options[field]
        if (value === undefined) continue
        checkKey(field, value)
        query = query.where(member.text(field), '=', value)
      }
      // Newest first: iat (client_id_issued_at for clients), then the later expiry (a
      // never-expiring one first), then the key for a stable order.
      const issued = sql<number>`COALESCE(${member.number('iat')}, ${member.number('client_id_issued_at')}, -1)`
      const rows = await query
        .orderBy(issued, 'desc')
        .orderBy(sql`expires_at DESC NULLS FIRST`)
        .orderBy('id_hash')
        .limit(limit)
        .execute()
      return rows.map((row) => toArtifact(row, model, undefined))
    },
  }
}
