import { findTool, missingScopes, RESOURCE_SCOPES, type Scope } from '../../tools/index.js'

/** One parsed JSON-RPC message, as far as the scope check needs to look into it. */
interface Message {
  method?: unknown
  params?: unknown
}

function toolName(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const { name } = params as { name?: unknown }
  return typeof name === 'string' ? name : undefined
}

/**
 * The scopes one JSON-RPC message needs, from the tool registry (`registry.ts` is the whole
 * surface with its scopes): `tools/call` needs its tool's scopes, `resources/read` needs
 * `memories:read`; discovery (`initialize`, `server/discover`, `tools/list`, `resources/list`,
 * `ping`, notifications) needs a valid token but no scope. An unknown tool needs nothing here:
 * the MCP layer answers it with its own error.
 */
export function scopesForMessage(message: Message): readonly Scope[] {
  if (message.method === 'tools/call') {
    const name = toolName(message.params)
    return name === undefined ? [] : (findTool(name)?.scopes ?? [])
  }
  if (message.method === 'resources/read') return RESOURCE_SCOPES
  return []
}

/**
 * Every scope a request (one message or a batch) needs that the granted set lacks, honouring the
 * documented hierarchy (`*:write` implies `*:read`, ERR-8). Empty when the token suffices. The
 * caller answers 403 naming all of them in one challenge (ERR-6).
 */
export function missingScopesFor(
  messages: readonly Message[],
  granted: ReadonlySet<string> | 'all',
): Scope[] {
  const needed = new Set<Scope>()
  for (const message of messages) for (const scope of scopesForMessage(message)) needed.add(scope)
  return missingScopes(granted, [...needed])
}
