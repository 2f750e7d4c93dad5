import type { Memory, Task, TaskPriority, TaskStatus, User } from '../../domain/index.js'
import type { MemoryRow, TaskRow, UserRow } from './database.js'

/** A timestamp from either driver as ISO 8601 UTC with milliseconds (`…T08:30:00.000Z`). */
export function toIso(value: string | Date): string {
  return typeof value === 'string' ? new Date(value).toISOString() : value.toISOString()
}

function toIsoOrNull(value: string | Date | null): string | null {
  return value === null ? null : toIso(value)
}

/** Tags from either driver: `text[]` (PostgreSQL) or JSON text (SQLite). */
export function decodeTags(value: string | string[]): string[] {
  if (Array.isArray(value)) return value
  const parsed: unknown = JSON.parse(value)
  return Array.isArray(parsed) ? parsed.filter((tag): tag is string => typeof tag === 'string') : []
}

export function toUser(row: UserRow): User {
  return { id: row.id, issuer: row.issuer, subject: row.subject, createdAt: toIso(row.created_at) }
}

export function toMemory(row: MemoryRow): Memory {
  return {
    id: row.id,
    userId: row.user_id,
    content: row.content,
    tags: decodeTags(row.tags),
    importance: Number(row.importance),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  }
}

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    notes: row.notes,
    dueAt: toIsoOrNull(row.due_at),
    // The CHECK constraints of both schemas keep these columns inside the domain unions.
    priority: row.priority as TaskPriority,
    status: row.status as TaskStatus,
    tags: decodeTags(row.tags),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    completedAt: toIsoOrNull(row.completed_at),
  }
}
