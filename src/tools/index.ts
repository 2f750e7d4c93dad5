/** The assistant's MCP surface: tool definitions, their scopes, and the server builder. */
export { TOOLS, RESOURCE_SCOPES, findTool } from './registry.js'
export { createAssistantServer } from './bind.js'
export type { AssistantServerOptions } from './bind.js'
export { runTool } from './run-tool.js'
export { renderToolDocs } from './docs.js'
export { SCOPES, hasScopes, missingScopes } from './context.js'
export type { ToolContext, Scope } from './context.js'
export type { ToolDefinition, ToolHints, ToolOutcome } from './define.js'
