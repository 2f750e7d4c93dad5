import { z } from 'zod'
import {
  DomainError,
  LIMITS,
  memoryPatch,
  newMemory,
  normalizeTags,
  pageLimit,
  decodeCursor,
  type Memory,
} from '../domain/index.js'
import type { QueryEmbedding, StoredEmbedding } from '../storage/ports.js'
import type { ToolContext } from './context.js'
import { defineTool, DELETE, READ_ONLY, UPDATE, WRITE } from './define.js'
import {
  contentSchema,
  cursorSchema,
  idSchema,
  importanceSchema,
  limitSchema,
  memoryToWire,
  memoryWire,
  tagsSchema,
} from './schemas.js'
import { listText, memoryLine } from './text.js'

const memoryResult = z.object({ memory: memoryWire })

async function embed(ctx: ToolContext, text: string): Promise<StoredEmbedding | undefined> {
  if (ctx.embedder === undefined) return undefined
  const [vector] = await ctx.embedder.embed([text])
  return vector === undefined ? undefined : { model: ctx.embedder.model, vector }
}

async function mustGet(ctx: ToolContext, id: string): Promise<Memory> {
  const memory = await ctx.memories.get(ctx.userId, id)
  if (memory === undefined) throw notFound(id)
  return memory
}

function notFound(id: string): DomainError {
  return new DomainError(
    'memory_not_found',
    `no memory with id ${id}: use memory_list or memory_search to find the right id`,
  )
}

export const memorySave = defineTool({
  name: 'memory_save',
  title: 'Save a memory',
  description:
    'Remember a piece of information for later: a fact, preference, decision or note. Returns the saved memory with its id.',
  scopes: ['memories:write'],
  annotations: WRITE,
  input: z.strictObject({
    content: contentSchema.describe('The text to remember (up to 64 KiB)'),
    tags: tagsSchema.optional(),
    importance: importanceSchema.optional(),
  }),
  output: memoryResult,
  example: {
    content: 'Alice prefers meetings after 10am',
    tags: ['people', 'alice'],
    importance: 4,
  },
  async run(ctx, input) {
    const memory = newMemory(input)
    const saved = await ctx.memories.create(ctx.userId, memory, await embed(ctx, memory.content))
    const wire = memoryToWire(saved)
    return { structured: { memory: wire }, text: `Saved memory ${wire.id}.\n${memoryLine(wire)}` }
  },
})

export const memorySearch = defineTool({
  name: 'memory_search',
  title: 'Search memories',
  description:
    'Find memories by words (ranked full-text search) and, when semantic search is enabled, by meaning. Best matches first.',
  scopes: ['memories:read'],
  annotations: READ_ONLY,
  input: z.strictObject({
    query: z
      .string()
      .min(1, 'query is empty: say what to look for')
      .max(LIMITS.searchQueryChars, `query is longer than ${LIMITS.searchQueryChars} characters`),
    tags: tagsSchema.optional().describe('Only memories carrying every one of these tags'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe('How many results, 1-50 (default 10)'),
  }),
  output: z.object({
    results: z.array(
      z.object({
        memory: memoryWire,
        score: z.number(),
        matched_by: z.array(z.enum(['fulltext', 'semantic'])),
      }),
    ),
    search: z.enum(['fulltext', 'hybrid']),
  }),
  example: { query: 'meeting preferences', limit: 5 },
  async run(ctx, input) {
    const query = { text: input.query, tags: normalizeTags(input.tags), limit: input.limit ?? 10 }
    const embedding: QueryEmbedding | undefined = await embed(ctx, input.query)
    const hits = await ctx.memories.search(ctx.userId, query, embedding)
    const results = hits.map((hit) => ({
      memory: memoryToWire(hit.memory),
      score: Number(hit.score.toFixed(6)),
      matched_by: hit.matchedBy,
    }))
    const search = embedding === undefined ? ('fulltext' as const) : ('hybrid' as const)
    const lines = results.map((r) => memoryLine(r.memory))
    const text = listText(
      `Found ${results.length} memories:`,
      lines,
      `No memory matches "${input.query}".`,
      null,
    )
    return { structured: { results, search }, text }
  },
})

export const memoryList = defineTool({
  name: 'memory_list',
  title: 'List memories',
  description:
    'List memories, most recently updated first, optionally only those with given tags. Paginated.',
  scopes: ['memories:read'],
  annotations: READ_ONLY,
  input: z.strictObject({
    tags: tagsSchema.optional().describe('Only memories carrying every one of these tags'),
    limit: limitSchema.optional(),
    cursor: cursorSchema.optional(),
  }),
  output: z.object({ memories: z.array(memoryWire), next_cursor: z.string().nullable() }),
  example: { tags: ['people'], limit: 20 },
  async run(ctx, input) {
    if (input.cursor !== undefined) decodeCursor(input.cursor)
    const page = await ctx.memories.list(ctx.userId, {
      limit: pageLimit(input.limit),
      cursor: input.cursor,
      tags: normalizeTags(input.tags),
    })
    const memories = page.items.map(memoryToWire)
    const text = listText(
      `${memories.length} memories:`,
      memories.map(memoryLine),
      'No memories yet.',
      page.nextCursor,
    )
    return { structured: { memories, next_cursor: page.nextCursor }, text }
  },
})

export const memoryGet = defineTool({
  name: 'memory_get',
  title: 'Get a memory',
  description: 'Read one memory in full by its id.',
  scopes: ['memories:read'],
  annotations: READ_ONLY,
  input: z.strictObject({ id: idSchema }),
  output: memoryResult,
  example: { id: '5f0c6f1e-2b1a-4c36-9a57-0d9b8f1c2e3a' },
  async run(ctx, input) {
    const wire = memoryToWire(await mustGet(ctx, input.id))
    return { structured: { memory: wire }, text: `${memoryLine(wire)}\n\n${wire.content}` }
  },
})

export const memoryUpdate = defineTool({
  name: 'memory_update',
  title: 'Update a memory',
  description:
    'Change the content, tags or importance of a memory. Fields left out stay as they are.',
  scopes: ['memories:write'],
  annotations: UPDATE,
  input: z.strictObject({
    id: idSchema,
    content: contentSchema.optional(),
    tags: tagsSchema.optional().describe('Replaces all tags'),
    importance: importanceSchema.optional(),
  }),
  output: memoryResult,
  example: { id: '5f0c6f1e-2b1a-4c36-9a57-0d9b8f1c2e3a', importance: 5 },
  async run(ctx, input) {
    const patch = memoryPatch(input)
    const embedding = patch.content === undefined ? undefined : await embed(ctx, patch.content)
    const updated = await ctx.memories.update(ctx.userId, input.id, patch, embedding)
    if (updated === undefined) throw notFound(input.id)
    const wire = memoryToWire(updated)
    return { structured: { memory: wire }, text: `Updated memory ${wire.id}.\n${memoryLine(wire)}` }
  },
})

export const memoryDelete = defineTool({
  name: 'memory_delete',
  title: 'Delete a memory',
  description: 'Forget a memory for good. This cannot be undone.',
  scopes: ['memories:write'],
  annotations: DELETE,
  input: z.strictObject({ id: idSchema }),
  output: z.object({ deleted: z.literal(true), id: z.string() }),
  example: { id: '5f0c6f1e-2b1a-4c36-9a57-0d9b8f1c2e3a' },
  async run(ctx, input) {
    if (!(await ctx.memories.delete(ctx.userId, input.id))) throw notFound(input.id)
    return {
      structured: { deleted: true as const, id: input.id },
      text: `Deleted memory ${input.id}.`,
    }
  },
})
