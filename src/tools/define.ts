import type { z } from 'zod'
import type { ToolContext, Scope } from './context.js'

/** MCP tool annotations (hints for clients; never trusted for security). */
export interface ToolHints {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

/** What a tool returns: the structured result (validated by `output`) and a readable text. */
export interface ToolOutcome<O> {
  structured: O
  text: string
}

/** One tool: its wire contract, the scopes it needs, and a handler over typed input. */
export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string
  title: string
  description: string
  scopes: readonly Scope[]
  annotations: ToolHints
  input: I
  output: O
  /** A sample call for the generated docs. */
  example: z.input<I>
  run(ctx: ToolContext, input: z.output<I>): Promise<ToolOutcome<z.input<O>>>
}

/** Identity helper that keeps the input/output types tied together. */
export function defineTool<I extends z.ZodType, O extends z.ZodType>(
  tool: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return tool
}

export const READ_ONLY: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
}
export const WRITE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
}
export const UPDATE: ToolHints = { ...WRITE, destructiveHint: true, idempotentHint: true }
export const DELETE: ToolHints = { ...WRITE, destructiveHint: true, idempotentHint: true }
