import { LIMITS } from './limits.js'
import { normalizeTags } from './tags.js'
import { assertMaxBytes, assertNoNul } from './text.js'
import { DomainError } from './errors.js'

/** A memory: a note the assistant keeps for one user. Timestamps are ISO 8601 UTC. */
export interface Memory {
  id: string
  userId: string
  content: string
  tags: string[]
  /** 1 (trivia) to 5 (critical). */
  importance: number
  createdAt: string
  updatedAt: string
}

export interface NewMemory {
  content: string
  tags: string[]
  importance: number
}

export interface MemoryPatch {
  content?: string
  tags?: string[]
  importance?: number
}

export const IMPORTANCE_MIN = 1
export const IMPORTANCE_MAX = 5
export const IMPORTANCE_DEFAULT = 3

function checkContent(content: string): string {
  if (content.trim().length === 0) {
    throw new DomainError('invalid_input', 'content is empty: write the text to remember')
  }
  assertMaxBytes('content', content, LIMITS.contentBytes)
  assertNoNul('content', content)
  return content
}

function checkImportance(importance: number): number {
  if (!Number.isInteger(importance) || importance < IMPORTANCE_MIN || importance > IMPORTANCE_MAX) {
    throw new DomainError(
      'invalid_input',
      `importance must be a whole number from ${IMPORTANCE_MIN} to ${IMPORTANCE_MAX}`,
    )
  }
  return importance
}

/** Validates and normalises a new memory (pure). */
export function newMemory(input: {
  content: string
  tags?: readonly string[] | undefined
  importance?: number | undefined
}): NewMemory {
  return {
    content: checkContent(input.content),
    tags: normalizeTags(input.tags),
    importance: checkImportance(input.importance ?? IMPORTANCE_DEFAULT),
  }
}

/** Validates and normalises a memory update; an empty patch is refused. */
export function memoryPatch(input: {
  content?: string | undefined
  tags?: readonly string[] | undefined
  importance?: number | undefined
}): MemoryPatch {
  const patch: MemoryPatch = {}
  if (input.content !== undefined) patch.content = checkContent(input.content)
  if (input.tags !== undefined) patch.tags = normalizeTags(input.tags)
  if (input.importance !== undefined) patch.importance = checkImportance(input.importance)
  if (Object.keys(patch).length === 0) {
    throw new DomainError(
      'invalid_input',
      'nothing to update: give at least one of content, tags, importance',
    )
  }
  return patch
}
