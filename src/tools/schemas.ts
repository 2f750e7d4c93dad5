import { z } from 'zod'
import {
  IMPORTANCE_MAX,
  IMPORTANCE_MIN,
  LIMITS,
  TASK_PRIORITIES,
  TASK_STATUSES,
  type Memory,
  type Task,
} from '../domain/index.js'

/** An item id as returned by the tools. */
export const idSchema = z
  .string()
  .min(1, 'id is empty: pass the id returned by a save, create or list call')
  .max(LIMITS.idChars, `id is longer than ${LIMITS.idChars} characters`)
  .regex(/^[A-Za-z0-9-]+$/, 'id may contain only letters, digits and -')
  .describe('The id returned when the item was created or listed')

export const tagsSchema = z
  .array(z.string().max(LIMITS.tagChars, `a tag is longer than ${LIMITS.tagChars} characters`))
  .max(LIMITS.tagsPerItem, `at most ${LIMITS.tagsPerItem} tags are allowed`)
  .describe(
    `Up to ${LIMITS.tagsPerItem} short labels (letters, digits, _ : . / -); stored lower-case`,
  )

/** Content limit in characters is the byte limit; the exact UTF-8 byte check is in the domain. */
export const contentSchema = z
  .string()
  .min(1, 'content is empty: write the text to remember')
  .max(LIMITS.contentBytes, `content is larger than ${LIMITS.contentBytes / 1024} KiB`)

export const importanceSchema = z
  .number()
  .int('importance must be a whole number')
  .min(IMPORTANCE_MIN, `importance must be at least ${IMPORTANCE_MIN}`)
  .max(IMPORTANCE_MAX, `importance must be at most ${IMPORTANCE_MAX}`)
  .describe(`How much this matters, ${IMPORTANCE_MIN} (trivia) to ${IMPORTANCE_MAX} (critical)`)

export const isoDateSchema = z
  .string()
  .max(40, 'dates are at most 40 characters')
  .describe('ISO 8601 date (YYYY-MM-DD) or date-time with offset (2026-12-01T09:00:00Z)')

export const limitSchema = z
  .number()
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(LIMITS.pageSizeMax, `limit must be at most ${LIMITS.pageSizeMax}`)
  .describe(`Page size, 1-${LIMITS.pageSizeMax} (default ${LIMITS.pageSizeDefault})`)

export const cursorSchema = z
  .string()
  .max(512, 'cursor is too long: pass the next_cursor of a previous page')
  .describe('The next_cursor of a previous page')

export const statusSchema = z.enum(TASK_STATUSES)
export const prioritySchema = z.enum(TASK_PRIORITIES)

export const memoryWire = z.object({
  id: z.string(),
  content: z.string(),
  tags: z.array(z.string()),
  importance: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
})
export type MemoryWire = z.infer<typeof memoryWire>

export const taskWire = z.object({
  id: z.string(),
  title: z.string(),
  notes: z.string(),
  due: z.string().nullable(),
  priority: prioritySchema,
  status: statusSchema,
  tags: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
})
export type TaskWire = z.infer<typeof taskWire>

export function memoryToWire(memory: Memory): MemoryWire {
  return {
    id: memory.id,
    content: memory.content,
    tags: memory.tags,
    importance: memory.importance,
    created_at: memory.createdAt,
    updated_at: memory.updatedAt,
  }
}

export function taskToWire(task: Task): TaskWire {
  return {
    id: task.id,
    title: task.title,
    notes: task.notes,
    due: task.dueAt,
    priority: task.priority,
    status: task.status,
    tags: task.tags,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    completed_at: task.completedAt,
  }
}
