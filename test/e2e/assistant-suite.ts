import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/client'
import { call, textOf } from '../helpers/spawn-client.js'

export const TOOL_NAMES = [
  'memory_save',
  'memory_search',
  'memory_list',
  'memory_get',
  'memory_update',
  'memory_delete',
  'task_create',
  'task_list',
  'task_update',
  'task_complete',
  'task_delete',
]

/**
 * The assistant's behaviour as a client sees it, independent of transport and database:
 * every tool, its structured output and readable text, its errors. Run over stdio against
 * SQLite and PostgreSQL (and later over HTTP).
 */
export function assistantSuite(
  name: string,
  connect: () => Promise<{ client: Client; close(): Promise<void> }>,
) {
  describe(name, () => {
    // One server and client for the whole suite; tests run in order on one empty database.
    let session: { client: Client; close(): Promise<void> }
    beforeAll(async () => {
      session = await connect()
    })
    afterAll(() => session.close())
    const open = async () => ({ client: session.client, close: async () => undefined })

    it('lists every tool with schemas, annotations and scopes', async () => {
      const { client, close } = await open()
      try {
        const { tools } = await client.listTools()
        expect(tools.map((t) => t.name).sort()).toEqual([...TOOL_NAMES].sort())
        for (const tool of tools) {
          expect(tool.inputSchema.type).toBe('object')
          expect(tool.outputSchema?.type).toBe('object')
          expect(typeof tool.annotations?.readOnlyHint).toBe('boolean')
          expect(tool._meta?.['mcp-pa/scopes']).toEqual(expect.any(Array))
        }
        const del = tools.find((t) => t.name === 'memory_delete')
        expect(del?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
        const search = tools.find((t) => t.name === 'memory_search')
        expect(search?.annotations).toMatchObject({ readOnlyHint: true })
      } finally {
        await close()
      }
    })

    it('saves, searches, lists, reads, updates and deletes memories', async () => {
      const { client, close } = await open()
      try {
        const saved = await call(client, 'memory_save', {
          content: 'Alice prefers meetings after 10am on weekdays',
          tags: ['People', 'alice'],
          importance: 4,
        })
        expect(saved.isError).toBeFalsy()
        const memory = saved.structuredContent?.memory
        expect(memory).toMatchObject({ tags: ['people', 'alice'], importance: 4 })
        expect(textOf(saved)).toContain(memory.id)
        await call(client, 'memory_save', { content: 'The car needs new tyres before winter' })

        const found = await call(client, 'memory_search', { query: 'meetings Alice' })
        expect(found.structuredContent?.results[0].memory.id).toBe(memory.id)
        expect(found.structuredContent?.results[0].matched_by).toContain('fulltext')

        const tagged = await call(client, 'memory_list', { tags: ['alice'] })
        expect(tagged.structuredContent?.memories.map((m: { id: string }) => m.id)).toEqual([
          memory.id,
        ])

        const got = await call(client, 'memory_get', { id: memory.id })
        expect(got.structuredContent?.memory.content).toBe(memory.content)

        const updated = await call(client, 'memory_update', {
          id: memory.id,
          importance: 5,
          content: 'Alice prefers meetings after 11am',
        })
        expect(updated.structuredContent?.memory).toMatchObject({
          importance: 5,
          content: 'Alice prefers meetings after 11am',
        })

        const resource = await client.readResource({ uri: `memory://${memory.id}` })
        expect(resource.contents[0]).toMatchObject({ text: 'Alice prefers meetings after 11am' })
        const listed = await client.listResources()
        expect(listed.resources.map((r) => r.uri)).toContain(`memory://${memory.id}`)

        const deleted = await call(client, 'memory_delete', { id: memory.id })
        expect(deleted.structuredContent).toEqual({ deleted: true, id: memory.id })
        const gone = await call(client, 'memory_get', { id: memory.id })
        expect(gone.isError).toBe(true)
        expect(textOf(gone)).toMatch(/no memory with id .*memory_list/)
      } finally {
        await close()
      }
    })

    it('creates, filters, updates, completes and deletes tasks', async () => {
      const { client, close } = await open()
      try {
        const a = (
          await call(client, 'task_create', {
            title: 'Renew passport',
            due: '2026-12-15',
            priority: 'high',
            tags: ['admin'],
          })
        ).structuredContent?.task
        const b = (
          await call(client, 'task_create', {
            title: 'Book dentist',
            notes: 'ask about Tuesday',
            due: '2026-11-30T09:00:00+01:00',
          })
        ).structuredContent?.task
        const c = (await call(client, 'task_create', { title: 'Read a novel' })).structuredContent
          ?.task
        expect(a).toMatchObject({
          status: 'open',
          priority: 'high',
          due: '2026-12-15T00:00:00.000Z',
        })
        expect(b.due).toBe('2026-11-30T08:00:00.000Z')

        const all = await call(client, 'task_list', {})
        expect(all.structuredContent?.tasks.map((t: { id: string }) => t.id)).toEqual([
          b.id,
          a.id,
          c.id,
        ])
        const before = await call(client, 'task_list', { due_before: '2026-12-01' })
        expect(before.structuredContent?.tasks.map((t: { id: string }) => t.id)).toEqual([b.id])
        const byTag = await call(client, 'task_list', { tag: 'admin' })
        expect(byTag.structuredContent?.tasks.map((t: { id: string }) => t.id)).toEqual([a.id])
        const byText = await call(client, 'task_list', { text: 'tuesday' })
        expect(byText.structuredContent?.tasks.map((t: { id: string }) => t.id)).toEqual([b.id])

        const started = await call(client, 'task_update', {
          id: c.id,
          status: 'in_progress',
          due: '2027-01-01',
        })
        expect(started.structuredContent?.task).toMatchObject({
          status: 'in_progress',
          due: '2027-01-01T00:00:00.000Z',
        })
        const cleared = await call(client, 'task_update', { id: c.id, due: null })
        expect(cleared.structuredContent?.task.due).toBeNull()

        const done = await call(client, 'task_complete', { id: a.id })
        expect(done.structuredContent?.task.status).toBe('done')
        expect(done.structuredContent?.task.completed_at).toEqual(expect.any(String))
        const open = await call(client, 'task_list', { status: ['open', 'in_progress'] })
        expect(open.structuredContent?.tasks.map((t: { id: string }) => t.id).sort()).toEqual(
          [b.id, c.id].sort(),
        )

        expect((await call(client, 'task_delete', { id: b.id })).structuredContent).toEqual({
          deleted: true,
          id: b.id,
        })
        const again = await call(client, 'task_delete', { id: b.id })
        expect(again.isError).toBe(true)
        expect(textOf(again)).toMatch(/no task with id/)
      } finally {
        await close()
      }
    })

    it.each([
      [
        'unknown id',
        'memory_get',
        { id: '00000000-0000-4000-8000-00000000dead' },
        /no memory with id/,
      ],
      ['oversized content', 'memory_save', { content: 'x'.repeat(64 * 1024 + 1) }, /64 KiB/],
      ['bad date', 'task_create', { title: 't', due: '2026-02-30' }, /not a real calendar date/],
      ['not a date', 'task_create', { title: 't', due: 'next tuesday' }, /ISO 8601/],
      ['unknown field', 'memory_save', { content: 'x', colour: 'red' }, /colour|unrecognized/i],
      [
        'too many tags',
        'memory_save',
        { content: 'x', tags: Array.from({ length: 33 }, (_, i) => `t${i}`) },
        /at most 32 tags/,
      ],
      [
        'bad importance',
        'memory_save',
        { content: 'x', importance: 9 },
        /importance must be at most 5/,
      ],
      [
        'empty update',
        'task_update',
        { id: '00000000-0000-4000-8000-00000000dead' },
        /nothing to update/,
      ],
      [
        'inverted range',
        'task_list',
        { due_after: '2027-01-01', due_before: '2026-01-01' },
        /swap them/,
      ],
      ['bad cursor', 'memory_list', { cursor: 'not-a-cursor' }, /cursor is not valid/],
      ['a NUL character', 'memory_save', { content: 'a\u0000b' }, /NUL character/],
    ])(
      'answers %s with a tool error that says what to fix',
      async (_label, tool, args, message) => {
        const { client, close } = await open()
        try {
          const result = await call(client, tool, args)
          expect(result.isError).toBe(true)
          expect(textOf(result)).toMatch(message)
          expect(textOf(result)).not.toMatch(/\n\s+at /) // no stack trace
        } finally {
          await close()
        }
      },
    )

    it('writes nothing when a call fails', async () => {
      const { client, close } = await open()
      try {
        const before = (await call(client, 'memory_list', { limit: 100 })).structuredContent
          ?.memories.length
        await call(client, 'memory_save', { content: 'ok', tags: ['valid', '!!bad!!'] })
        const after = (await call(client, 'memory_list', { limit: 100 })).structuredContent
          ?.memories.length
        expect(after).toBe(before)
      } finally {
        await close()
      }
    })
  })
}
