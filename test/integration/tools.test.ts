import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/audit/index.js'
import { LOCAL_USER_ID } from '../../src/domain/index.js'
import { createBuiltinEmbedder } from '../../src/search/index.js'
import type { Storage } from '../../src/storage/ports.js'
import { openSqliteStorage } from '../../src/storage/sqlite/index.js'
import { loadSqliteDriver } from '../../src/storage/sqlite/driver.js'
import { findTool, runTool, type ToolContext } from '../../src/tools/index.js'

/** The tool layer in process over a real SQLite database (no transport). */
let storage: Storage
let audit: ReturnType<typeof memoryAuditSink>

function ctx(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    userId: LOCAL_USER_ID,
    scopes: 'all',
    memories: storage.memories,
    tasks: storage.tasks,
    audit,
    clock: () => new Date(),
    ...overrides,
  }
}

async function run(name: string, input: unknown, context = ctx()) {
  const tool = findTool(name)
  if (tool === undefined) throw new Error(`no tool ${name}`)
  return runTool(tool, context, tool.input.parse(input))
}

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text

beforeEach(async () => {
  storage = await openSqliteStorage({ path: ':memory:', vectorSearch: true })
  audit = memoryAuditSink()
})
afterEach(() => storage.close())

describe('runTool', () => {
  it('refuses a call without the tool scope, naming the scope, and audits it', async () => {
    const result = await run(
      'memory_save',
      { content: 'x' },
      ctx({ scopes: new Set(['memories:read']) }),
    )
    expect(result.isError).toBe(true)
    expect(text(result)).toBe(
      'memory_save needs the scope memories:write: sign in again granting it',
    )
    expect(audit.events.at(-1)).toMatchObject({
      type: 'tool.called',
      tool: 'memory_save',
      ok: false,
      error: 'insufficient_scope',
    })
    expect((await storage.memories.list(LOCAL_USER_ID, { limit: 10 })).items).toHaveLength(0)
  })

  it('accepts a read through the matching write scope', async () => {
    const result = await run('memory_list', {}, ctx({ scopes: new Set(['memories:write']) }))
    expect(result.isError).toBeFalsy()
  })

  it('maps an unexpected failure to a generic message with a reference, detail only in the audit log', async () => {
    // A real driver failure: another connection drops the full-text table under the server,
    // so the insert trigger fails inside SQLite.
    const dir = await mkdtemp(join(tmpdir(), 'mcp-pa-tools-'))
    const file = join(dir, 'db.sqlite')
    const broken = await openSqliteStorage({ path: file })
    const Database = await loadSqliteDriver()
    const other = new Database(file)
    other.exec('DROP TABLE memories_fts')
    other.close()
    try {
      const result = await run('memory_save', { content: 'x' }, ctx({ memories: broken.memories }))
      expect(result.isError).toBe(true)
      const message = text(result)
      const reference = /reference ([0-9a-f]{8})/.exec(message)?.[1]
      expect(reference).toBeDefined()
      expect(message).toMatch(/nothing was changed/)
      expect(message).not.toMatch(/fts|sqlite|no such table|\n\s+at /i)
      const failed = audit.events.find((e) => e.type === 'tool.failed')
      expect(failed).toMatchObject({ type: 'tool.failed', tool: 'memory_save', reference })
      expect(JSON.stringify(failed)).toMatch(/memories_fts/) // the detail is kept for the operator
      expect((await broken.memories.list(LOCAL_USER_ID, { limit: 10 })).items).toHaveLength(0)
    } finally {
      await broken.close()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('answers calls on a closed database with a clear error', async () => {
    await storage.close()
    const result = await run('task_list', {})
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/^the database is closed because the server is shutting down/)
    storage = await openSqliteStorage({ path: ':memory:' }) // for afterEach
  })

  it('audits every successful call with its duration', async () => {
    await run('task_create', { title: 'audited' })
    expect(audit.events.at(-1)).toMatchObject({
      type: 'tool.called',
      tool: 'task_create',
      ok: true,
      userId: LOCAL_USER_ID,
    })
  })
})

describe('semantic search with the built-in embedder', () => {
  it('finds a memory by meaning-adjacent words and reports hybrid search', async () => {
    const embedder = createBuiltinEmbedder({})
    const context = ctx({ embedder })
    await run('memory_save', { content: 'Dentist appointment moved to Thursday morning' }, context)
    await run('memory_save', { content: 'Grocery list: apples, oat milk, coffee beans' }, context)
    const result = await run('memory_search', { query: 'dentists appointments' }, context)
    expect(result.structuredContent).toMatchObject({ search: 'hybrid' })
    const first = (
      result.structuredContent as {
        results: Array<{ memory: { content: string }; matched_by: string[] }>
      }
    ).results[0]
    expect(first?.memory.content).toMatch(/Dentist/)
    expect(first?.matched_by).toContain('semantic')
  })

  it('searches full text only without an embedder', async () => {
    await run('memory_save', { content: 'full text only' })
    const result = await run('memory_search', { query: 'text' })
    expect(result.structuredContent).toMatchObject({ search: 'fulltext' })
  })
})
