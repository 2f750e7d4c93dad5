import type { ExpressionBuilder, Expression, SqlBool } from 'kysely'
import type { TaskFilter } from '../../domain/index.js'
import type { Database } from './database.js'
import type { SqlDialect } from './dialect.js'
import type { TaskPosition } from './cursor.js'

type TaskEb = ExpressionBuilder<Database, 'tasks'>

/**
 * The WHERE clause of a task listing: the owner, then every filter with AND.
 * Due-date bounds are half-open: `dueAfter` keeps `due_at >= dueAfter` and `dueBefore` keeps
 * `due_at < dueBefore`, so adjacent ranges (…, d) and [d, …) never both hold a task. Tasks
 * without a due date match neither bound.
 */
export function taskWhere(
  eb: TaskEb,
  dialect: SqlDialect,
  userId: string,
  filter: TaskFilter,
  after: TaskPosition | undefined,
): Expression<SqlBool> {
  const clauses: Array<Expression<SqlBool>> = [eb('user_id', '=', userId)]
  if (filter.status !== undefined && filter.status.length > 0) {
    clauses.push(eb('status', 'in', filter.status))
  }
  if (filter.dueBefore !== undefined) clauses.push(eb('due_at', '<', filter.dueBefore))
  if (filter.dueAfter !== undefined) clauses.push(eb('due_at', '>=', filter.dueAfter))
  if (filter.tag !== undefined) clauses.push(dialect.hasTags('tasks', userId, [filter.tag]))
  if (filter.text !== undefined && filter.text.length > 0) {
    clauses.push(dialect.taskTextMatch(filter.text))
  }
  if (after !== undefined) clauses.push(afterPosition(eb, after))
  return eb.and(clauses)
}

/**
 * Keyset condition for "strictly after `p`" in the order
 * (due_at asc nulls last, created_at desc, id desc).
 */
function afterPosition(eb: TaskEb, p: TaskPosition): Expression<SqlBool> {
  const laterInSameDue = eb.or([
    eb('created_at', '<', p.createdAt),
    eb.and([eb('created_at', '=', p.createdAt), eb('id', '<', p.id)]),
  ])
  if (p.dueAt === null) return eb.and([eb('due_at', 'is', null), laterInSameDue])
  return eb.or([
    eb('due_at', '>', p.dueAt),
    eb('due_at', 'is', null),
    eb.and([eb('due_at', '=', p.dueAt), laterInSameDue]),
  ])
}
