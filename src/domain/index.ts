export { DomainError, isDomainError } from './errors.js'
export type { DomainErrorCode } from './errors.js'
export { LIMITS, TAG_PATTERN } from './limits.js'
export { normalizeTags } from './tags.js'
export { utf8Length, assertMaxBytes, assertNoNul, preview } from './text.js'
export { parseIsoDate } from './dates.js'
export {
  newMemory,
  memoryPatch,
  IMPORTANCE_MIN,
  IMPORTANCE_MAX,
  IMPORTANCE_DEFAULT,
} from './memory.js'
export type { Memory, NewMemory, MemoryPatch } from './memory.js'
export { newTask, taskPatch, taskFilter, TASK_STATUSES, TASK_PRIORITIES } from './task.js'
export type { Task, NewTask, TaskPatch, TaskFilter, TaskStatus, TaskPriority } from './task.js'
export { searchTerms, reciprocalRankFusion } from './search.js'
export type { SearchMode, MemorySearchQuery, MemorySearchHit } from './search.js'
export { encodeCursor, decodeCursor, pageLimit } from './page.js'
export type { Page, PageRequest, CursorPosition } from './page.js'
export { LOCAL_USER_ID } from './user.js'
export type { User } from './user.js'
