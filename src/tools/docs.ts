import { z } from 'zod'
import { TOOLS } from './registry.js'
import type { ToolDefinition } from './define.js'

type JsonSchema = {
  type?: string | string[]
  description?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  enum?: unknown[]
  anyOf?: JsonSchema[]
  maxLength?: number
  minimum?: number
  maximum?: number
  maxItems?: number
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ')
  if (schema.anyOf !== undefined) return schema.anyOf.map(typeOf).join(' \\| ')
  if (schema.type === 'array')
    return `${schema.items === undefined ? 'any' : typeOf(schema.items)}[]`
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any')
}

function limitsOf(schema: JsonSchema): string {
  const parts: string[] = []
  if (schema.maxLength !== undefined) parts.push(`≤ ${schema.maxLength} chars`)
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    parts.push(`${schema.minimum}–${schema.maximum}`)
  }
  if (schema.maxItems !== undefined) parts.push(`≤ ${schema.maxItems} items`)
  return parts.join(', ')
}

function fieldTable(schema: JsonSchema): string {
  const rows = Object.entries(schema.properties ?? {}).map(([name, field]) => {
    const required = schema.required?.includes(name) ? 'yes' : 'no'
    const description = (field.description ?? '').replace(/\|/g, '\\|')
    return `| \`${name}\` | ${typeOf(field)} | ${required} | ${limitsOf(field)} | ${description} |`
  })
  if (rows.length === 0) return '_none_'
  return [
    '| field | type | required | limits | description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}

function toolSection(tool: ToolDefinition): string {
  const input = z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  const output = z.toJSONSchema(tool.output, { io: 'output', unrepresentable: 'any' }) as JsonSchema
  const hints = Object.entries(tool.annotations).map(([hint, on]) => `\`${hint}: ${String(on)}\``)
  return [
    `## \`${tool.name}\` — ${tool.title}`,
    '',
    tool.description,
    '',
    `- **Scope (HTTP mode):** ${tool.scopes.map((s) => `\`${s}\``).join(', ')}`,
    `- **Annotations:** ${hints.join(', ')}`,
    '',
    '**Input**',
    '',
    fieldTable(input),
    '',
    `**Output** (\`structuredContent\`, plus a readable text block): ${Object.keys(
      output.properties ?? {},
    )
      .map((k) => `\`${k}\``)
      .join(', ')}`,
    '',
    '**Example**',
    '',
    '```json',
    JSON.stringify({ name: tool.name, arguments: tool.example }, null, 2),
    '```',
    '',
  ].join('\n')
}

/** The Markdown of docs/tools.md, generated from the registry (a test keeps the file in sync). */
export function renderToolDocs(): string {
  const index = TOOLS.map(
    (t) =>
      `| [\`${t.name}\`](#${t.name}--${t.title.toLowerCase().replace(/\s+/g, '-')}) | ${t.scopes.join(', ')} | ${t.annotations.readOnlyHint ? 'read-only' : t.annotations.destructiveHint ? 'destructive' : 'write'} |`,
  )
  return [
    '# Tools',
    '',
    '<!-- Generated from src/tools/registry.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Every tool validates its input (unknown fields are refused), returns `structuredContent` matching its output schema plus a readable text block, and answers bad input with a tool error (`isError: true`) whose message says what to fix. In local (stdio) mode scopes are not checked; in HTTP mode each call needs the scope listed (a `*:write` scope implies the matching `*:read`).',
    '',
    'Memories are also readable as MCP resources: `memory://{id}` (scope `memories:read`).',
    '',
    '| tool | scope | kind |',
    '| --- | --- | --- |',
    ...index,
    '',
    ...TOOLS.map(toolSection),
  ].join('\n')
}
