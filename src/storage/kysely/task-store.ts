import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { pageLimit } from '../../domain/index.js'
import type { Task } from '../../domain/index.js'
import type { TaskStore } from '../ports.js'
import { TASK_COLUMNS } from './database.js'
import type { SqlDialect, UserScope } from './dialect.js'
import { readTaskCursor, taskCursor } from './cursor.js'
import type { Clock } from './memory-store.js'
import { taskWhere } from './task-query.js'
import { toTask } from './rows.js'

export function createTaskStore(asUser: UserScope, dialect: SqlDialect, now: Clock): TaskStore {
  return {
    async create(userId, task) {
      const at = now()
      const created: Task = {
        id: randomUUID(),
        userId,
        title: task.title,
        notes: task.notes,
        dueAt: task.dueAt,
        priority: task.priority,
        status: task.status,
        tags: [...task.tags],
        createdAt: at,
        updatedAt: at,
        completedAt: task.status === 'done' ? at : null,
      }
      await asUser(userId, (db) =>
        db
          .insertInto('tasks')
          .values({
            id: created.id,
            user_id: userId,
            title: created.title,
            notes: created.notes,
            due_at: created.dueAt,
            priority: created.priority,
            status: created.status,
            tags: dialect.encodeTags(created.tags),
            created_at: at,
            updated_at: at,
            completed_at: created.completedAt,
          })
          .execute(),
      )
      return created
    },

    async get(userId, id) {
      const row = await asUser(userId, (db) =>
        db
          .selectFrom('tasks')
          .select(TASK_COLUMNS)
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .executeTakeFirst(),
      )
      return row === undefined ? undefined : toTask(row)
    },

    async list(userId, filter, page) {
      const limit = pageLimit(page.limit)
      const after = page.cursor === undefined ? undefined : readTaskCursor(page.cursor)
      const rows = await asUser(userId, (db) =>
        db
          .selectFrom('tasks')
          .select(TASK_COLUMNS)
          .where((eb) => taskWhere(eb, dialect, userId, filter, after))
          .orderBy('due_at', (ob) => ob.asc().nullsLast())
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit + 1)
          .execute(),
      )
      const items = rows.map(toTask)
      const more = items.length > limit
      if (more) items.length = limit
      const last = items.at(-1)
      return { items, nextCursor: more && last !== undefined ? taskCursor(last) : null }
    },

    async update(userId, id, patch) {
      const at = now()
      // One statement, so concurrent updates cannot disagree about completed_at: it is set when
      // the status becomes 'done' (kept if it already was) and cleared when it leaves 'done'.
      const completion =
        patch.status === undefined
          ? {}
          : {
              completed_at:
                patch.status === 'done' ? sql<string>`coalesce(completed_at, ${at})` : null,
            }
      const row = await asUser(userId, (db) =>
        db
          .updateTable('tasks')
          .set({
            updated_at: at,
            ...(patch.title !== undefined && { title: patch.title }),
            ...(patch.notes !== undefined && { notes: patch.notes }),
            ...(patch.dueAt !== undefined && { due_at: patch.dueAt }),
            ...(patch.priority !== undefined && { priority: patch.priority }),
            ...(patch.status !== undefined && { status: patch.status }),
            ...(patch.tags !== undefined && { tags: dialect.encodeTags(patch.tags) }),
            ...completion,
          })
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .returning(TASK_COLUMNS)
          .executeTakeFirst(),
      )
      return row === undefined ? undefined : toTask(row)
    },

    async delete(userId, id) {
      const result = await asUser(userId, (db) =>
        db
          .deleteFrom('tasks')
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .executeTakeFirst(),
      )
      return result.numDeletedRows > 0n
    },
  }
}
