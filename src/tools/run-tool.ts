import { randomUUID } from 'node:crypto'
import type { CallToolResult } from '@modelcontextprotocol/server'
import { isDomainError } from '../domain/index.js'
import { missingScopes, type ToolContext } from './context.js'
import type { ToolDefinition } from './define.js'

/**
 * Runs one tool for one caller and maps every outcome to an MCP tool result — the only place
 * where tool errors meet the wire. A DomainError's message is public and says what to fix;
 * anything else becomes a generic message with a reference id, and the detail goes to the audit
 * log only (never a stack trace or a driver message to the client).
 */
export async function runTool(
  tool: ToolDefinition,
  ctx: ToolContext,
  input: unknown,
): Promise<CallToolResult> {
  const started = performance.now()
  const finish = (ok: boolean, error?: string) =>
    ctx.audit.emit({
      type: 'tool.called',
      tool: tool.name,
      userId: ctx.userId,
      ok,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...(error === undefined ? {} : { error }),
    })

  const missing = missingScopes(ctx.scopes, tool.scopes)
  if (missing.length > 0) {
    finish(false, 'insufficient_scope')
    return errorResult(
      `${tool.name} needs the scope ${missing.join(' ')}: sign in again granting it`,
    )
  }
  try {
    const outcome = await tool.run(ctx, input)
    finish(true)
    return {
      content: [{ type: 'text', text: outcome.text }],
      structuredContent: outcome.structured as Record<string, unknown>,
    }
  } catch (error) {
    if (isDomainError(error)) {
      finish(false, error.code)
      return errorResult(error.message)
    }
    const reference = randomUUID().slice(0, 8)
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    ctx.audit.emit({ type: 'tool.failed', tool: tool.name, userId: ctx.userId, reference, detail })
    finish(false, 'internal_error')
    return errorResult(
      `${tool.name} failed because of an internal error (reference ${reference}); nothing was changed by the failed step. Try again; if it persists, check the server log for this reference.`,
    )
  }
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}
