import type { ToolDefinition } from './define.js'
import {
  memoryDelete,
  memoryGet,
  memoryList,
  memorySave,
  memorySearch,
  memoryUpdate,
} from './memories.js'
import { taskComplete, taskCreate, taskDelete, taskList, taskUpdate } from './tasks.js'

/**
 * The whole tool surface on one screen. Each tool carries the OAuth scopes it needs
 * (`tool.scopes`): unused in local mode, enforced per call in HTTP mode.
 *
 * | tool | scope |
 * | --- | --- |
 * | memory_save, memory_update, memory_delete | memories:write |
 * | memory_search, memory_list, memory_get | memories:read |
 * | task_create, task_update, task_complete, task_delete | tasks:write |
 * | task_list | tasks:read |
 */
export const TOOLS: readonly ToolDefinition[] = Object.freeze([
  memorySave,
  memorySearch,
  memoryList,
  memoryGet,
  memoryUpdate,
  memoryDelete,
  taskCreate,
  taskList,
  taskUpdate,
  taskComplete,
  taskDelete,
] as unknown as ToolDefinition[])

/** Scopes needed to read memories as MCP resources (`memory://{id}`). */
export const RESOURCE_SCOPES = ['memories:read'] as const

export function findTool(name: string): ToolDefinition | undefined {
  return TOOLS.find((tool) => tool.name === name)
}
