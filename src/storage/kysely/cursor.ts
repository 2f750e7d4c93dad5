import { DomainError, decodeCursor, encodeCursor } from '../../domain/index.js'
import type { Memory, Task } from '../../domain/index.js'

/** Timestamps as this layer writes them (`Date#toISOString()`), so they compare as text too. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const MAX_ID_CHARS = 64

function invalid(): DomainError {
  return new DomainError(
    'invalid_input',
    'cursor is not valid: pass the next_cursor of a previous page',
  )
}

/** Memories are listed by (updated_at desc, id desc); the cursor is the last item's key. */
export function memoryCursor(memory: Memory): string {
  return encodeCursor({ at: memory.updatedAt, id: memory.id })
}

export function readMemoryCursor(cursor: string): { updatedAt: string; id: string } {
  const { at, id } = decodeCursor(cursor)
  if (!ISO_MS.test(at) || id.length === 0 || id.length > MAX_ID_CHARS) throw invalid()
  return { updatedAt: at, id }
}

/**
 * Tasks are listed by (due_at asc nulls last, created_at desc, id desc). The cursor's `at`
 * carries both timestamps as `<due or empty>|<created>`.
 */
export function taskCursor(task: Task): string {
  return encodeCursor({ at: `${task.dueAt ?? ''}|${task.createdAt}`, id: task.id })
}

export interface TaskPosition {
  dueAt: string | null
  createdAt: string
  id: string
}

export function readTaskCursor(cursor: string): TaskPosition {
  const { at, id } = decodeCursor(cursor)
  const parts = at.split('|')
  const [due, created] = parts
  if (parts.length !== 2 || due === undefined || created === undefined) throw invalid()
  if (!ISO_MS.test(created) || (due !== '' && !ISO_MS.test(due))) throw invalid()
  if (id.length === 0 || id.length > MAX_ID_CHARS) throw invalid()
  return { dueAt: due === '' ? null : due, createdAt: created, id }
}
