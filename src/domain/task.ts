import { LIMITS } from './limits.js'
import { normalizeTags } from './tags.js'
import { assertMaxBytes, assertNoNul } from './text.js'
import { parseIsoDate } from './dates.js'
import { DomainError } from './errors.js'

export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export type TaskPriority = (typeof TASK_PRIORITIES)[number]

/** A task of one user. Dates are ISO 8601 UTC. */
export interface Task {
  id: string
  userId: string
  title: string
  notes: string
  dueAt: string | null
  priority: TaskPriority
  status: TaskStatus
  tags: string[]
  createdAt: string
  updatedAt: string
  completedAt: string | null
}

export interface NewTask {
  title: string
  notes: string
  dueAt: string | null
  priority: TaskPriority
  status: TaskStatus
  tags: string[]
}

export interface TaskPatch {
  title?: string
  notes?: string
  dueAt?: string | null
  priority?: TaskPriority
  status?: TaskStatus
  tags?: string[]
}

/** Filters for listing tasks; all optional and combined with AND. */
export interface TaskFilter {
  status?: TaskStatus[]
  dueBefore?: string
  dueAfter?: string
  tag?: string
  text?: string
}

function checkTitle(title: string): string {
  const trimmed = title.trim()
  if (trimmed.length === 0) throw new DomainError('invalid_input', 'title is empty: name the task')
  if (trimmed.length > LIMITS.titleChars) {
    throw new DomainError('invalid_input', `title is longer than ${LIMITS.titleChars} characters`)
  }
  assertNoNul('title', trimmed)
  return trimmed
}

function checkNotes(notes: string): string {
  assertMaxBytes('notes', notes, LIMITS.notesBytes)
  assertNoNul('notes', notes)
  return notes
}

function checkDue(due: string | null): string | null {
  return due === null ? null : parseIsoDate('due', due)
}

/** Validates and normalises a new task (pure). */
export function newTask(input: {
  title: string
  notes?: string | undefined
  due?: string | null | undefined
  priority?: TaskPriority | undefined
  tags?: readonly string[] | undefined
}): NewTask {
  return {
    title: checkTitle(input.title),
    notes: checkNotes(input.notes ?? ''),
    dueAt: checkDue(input.due ?? null),
    priority: input.priority ?? 'normal',
    status: 'open',
    tags: normalizeTags(input.tags),
  }
}

/** Validates and normalises a task update; an empty patch is refused. `due: null` clears it. */
export function taskPatch(input: {
  title?: string | undefined
  notes?: string | undefined
  due?: string | null | undefined
  priority?: TaskPriority | undefined
  status?: TaskStatus | undefined
  tags?: readonly string[] | undefined
}): TaskPatch {
  const patch: TaskPatch = {}
  if (input.title !== undefined) patch.title = checkTitle(input.title)
  if (input.notes !== undefined) patch.notes = checkNotes(input.notes)
  if (input.due !== undefined) patch.dueAt = checkDue(input.due)
  if (input.priority !== undefined) patch.priority = input.priority
  if (input.status !== undefined) patch.status = input.status
  if (input.tags !== undefined) patch.tags = normalizeTags(input.tags)
  if (Object.keys(patch).length === 0) {
    throw new DomainError(
      'invalid_input',
      'nothing to update: give at least one of title, notes, due, priority, status, tags',
    )
  }
  return patch
}

/** Validates list filters: dates parsed to UTC, the range must not be inverted. */
export function taskFilter(input: {
  status?: readonly TaskStatus[] | undefined
  dueBefore?: string | undefined
  dueAfter?: string | undefined
  tag?: string | undefined
  text?: string | undefined
}): TaskFilter {
  const filter: TaskFilter = {}
  if (input.status !== undefined && input.status.length > 0)
    filter.status = [...new Set(input.status)]
  if (input.dueBefore !== undefined) filter.dueBefore = parseIsoDate('due_before', input.dueBefore)
  if (input.dueAfter !== undefined) filter.dueAfter = parseIsoDate('due_after', input.dueAfter)
  if (
    filter.dueBefore !== undefined &&
    filter.dueAfter !== undefined &&
    filter.dueAfter > filter.dueBefore
  ) {
    throw new DomainError('invalid_input', 'due_after is later than due_before: swap them')
  }
  if (input.tag !== undefined) {
    const [tag] = normalizeTags([input.tag])
    if (tag !== undefined) filter.tag = tag
  }
  if (input.text !== undefined && input.text.trim().length > 0) filter.text = input.text.trim()
  return filter
}
