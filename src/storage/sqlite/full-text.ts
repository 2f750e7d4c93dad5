import { sql } from 'kysely'
import type { Kysely, RawBuilder } from 'kysely'
import { MEMORY_COLUMNS } from '../kysely/index.js'
import type { Database, FullTextQuery, MemoryRow, RankedRow } from '../kysely/index.js'
import { ftsPhrases, planPhrases, RANKED_BUDGET, tagPhrases } from './fts.js'
import { sqliteRowHasTags } from './tags.js'

/** When nothing can be ranked within budget, the newest matches this deep are ranked. */
const RECENT_WINDOW = 200

const memoryColumns = sql.join(MEMORY_COLUMNS.map((column) => sql.ref(`memories.${column}`)))

type Scored = MemoryRow & { rank: number }

/** bm25() is lower-is-better; the port's score is higher-is-better. */
const toRanked = (rows: Scored[]): RankedRow[] =>
  rows.map(({ rank, ...row }) => ({ row, score: -rank }))

/** Rows matching `phrase`, counted only up to `cap` so a common word costs little. */
async function countUpTo(db: Kysely<Database>, phrase: string, cap: number): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*) as n from (
      select 1 from memories_fts where memories_fts match ${phrase} limit ${cap}
    )`.execute(db)
  return Number(result.rows[0]?.n ?? 0)
}

function owned(q: FullTextQuery): RawBuilder<unknown> {
  const tagFilter = q.tags.length > 0 ? sql`and ${sqliteRowHasTags('memories', q.tags)}` : sql``
  // Unary + keeps SQLite off the (user_id, …) index here: the rows come from the FTS index or
  // the primary key, and without ANALYZE statistics the planner would otherwise scan every
  // row of the user (all of them, in local mode) through that index.
  return sql`+memories.user_id = ${q.userId} ${tagFilter}`
}

/** This user's best matches by bm25, joining every match (CROSS JOIN: FTS index first). */
async function rankedJoined(db: Kysely<Database>, match: string, q: FullTextQuery) {
  const result = await sql<Scored>`
    select ${memoryColumns}, bm25(memories_fts) as rank
    from memories_fts cross join memories on memories.seq = memories_fts.rowid
    where memories_fts match ${match} and ${owned(q)}
    order by rank
    limit ${q.limit}`.execute(db)
  return toRanked(result.rows)
}

/**
 * Best matches by bm25. First the FTS index alone ranks (tags narrowed inside MATCH, ~0.5 µs
 * a row) and only the top candidates are joined to check owner and exact tags; when those are
 * not enough because other users' rows came first, every match is joined instead.
 */
async function ranked(db: Kysely<Database>, match: string, q: FullTextQuery): Promise<RankedRow[]> {
  const candidates = Math.max(q.limit * 4, 40)
  const narrowed = [`(${match})`, ...tagPhrases(q.tags)].join(' AND ')
  const top = await sql<{ seq: number; rank: number }>`
    select rowid as seq, bm25(memories_fts) as rank from memories_fts
    where memories_fts match ${narrowed} order by rank limit ${candidates}`.execute(db)
  if (top.rows.length === 0) return []
  const rank = new Map(top.rows.map((row) => [row.seq, row.rank]))
  const rows = await sql<MemoryRow & { seq: number }>`
    select memories.seq, ${memoryColumns} from memories
    where memories.seq in (${sql.join([...rank.keys()])}) and ${owned(q)}`.execute(db)
  if (rows.rows.length < q.limit && top.rows.length === candidates) {
    return rankedJoined(db, match, q)
  }
  return toRanked(
    rows.rows
      .map(({ seq, ...row }) => ({ ...row, rank: rank.get(seq) ?? 0 }))
      .sort((a, b) => a.rank - b.rank)
      .slice(0, q.limit),
  )
}

/** The newest matches (FTS rowid order, which stops early), then ranked among themselves. */
async function recent(db: Kysely<Database>, match: string, q: FullTextQuery): Promise<RankedRow[]> {
  const result = await sql<Scored>`
    select * from (
      select ${memoryColumns}, bm25(memories_fts) as rank
      from memories_fts cross join memories on memories.seq = memories_fts.rowid
      where memories_fts match ${match} and ${owned(q)}
      order by memories_fts.rowid desc
      limit ${Math.max(RECENT_WINDOW, q.limit)}
    )
    order by rank
    limit ${q.limit}`.execute(db)
  return toRanked(result.rows)
}

/**
 * Ranked full-text search with a bounded cost. bm25 has to score every matching row, which
 * for a word found in most of 100 000 memories takes ~50 ms; so the phrases are first counted
 * (capped), the rarest ones within `RANKED_BUDGET` rows are ranked, and the result is topped
 * up with the newest matches of the full query when that found fewer than `limit`.
 */
export async function sqliteFullText(db: Kysely<Database>, q: FullTextQuery): Promise<RankedRow[]> {
  const phrases = ftsPhrases(q.terms)
  const counted: Array<{ phrase: string; rows: number }> = []
  for (const [index, phrase] of phrases.entries()) {
    let rows = await countUpTo(db, phrase.replace(/\*$/, ''), RANKED_BUDGET + 1)
    if (rows > RANKED_BUDGET && phrase.endsWith('*')) {
      // The word alone is already too common to rank: its prefix expansions (merged by FTS5
      // before the first row) would only add cost, so search for the word itself.
      phrases[index] = phrase.slice(0, -1)
    } else if (phrase.endsWith('*')) {
      rows = await countUpTo(db, phrase, RANKED_BUDGET + 1)
    }
    counted.push({ phrase: phrases[index] ?? phrase, rows })
  }
  const plan = planPhrases(counted)
  const hits = plan.ranked.length > 0 ? await ranked(db, plan.ranked.join(' OR '), q) : []
  if (hits.length >= q.limit || plan.dropped.length === 0) return hits
  const seen = new Set(hits.map((hit) => hit.row.id))
  let floor = hits.at(-1)?.score ?? Infinity
  for (const hit of await recent(db, phrases.join(' OR '), q)) {
    if (hits.length >= q.limit) break
    if (seen.has(hit.row.id)) continue
    // Keep scores non-increasing down the list: these rank below every bm25-ranked hit.
    floor = Math.min(floor, hit.score)
    hits.push({ row: hit.row, score: floor })
  }
  return hits
}
