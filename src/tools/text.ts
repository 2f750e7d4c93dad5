import { preview } from '../domain/index.js'
import type { MemoryWire, TaskWire } from './schemas.js'

/** One readable line for a memory, as tool text output. */
export function memoryLine(memory: MemoryWire): string {
  const tags = memory.tags.length > 0 ? ` [${memory.tags.join(', ')}]` : ''
  return `- ${memory.id} (importance ${memory.importance})${tags}: ${preview(memory.content)}`
}

/** One readable line for a task, as tool text output. */
export function taskLine(task: TaskWire): string {
  const due = task.due === null ? '' : `, due ${task.due}`
  const tags = task.tags.length > 0 ? ` [${task.tags.join(', ')}]` : ''
  return `- ${task.id} [${task.status}] ${preview(task.title, 80)} (${task.priority}${due})${tags}`
}

/** A list with a header, or a friendly line when it is empty. */
export function listText(
  header: string,
  lines: string[],
  empty: string,
  nextCursor: string | null,
): string {
  if (lines.length === 0) return empty
  const more = nextCursor === null ? '' : `\nMore results: pass cursor "${nextCursor}".`
  return `${header}\n${lines.join('\n')}${more}`
}
