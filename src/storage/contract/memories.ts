import { randomUUID } from 'node:crypto'
import { LIMITS, newMemory, utf8Length } from '../../domain/index.js'
import type { ContractContext } from './context.js'
import { sleep } from './context.js'

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

export function memoryContract({ describe, it, expect, storage, newUser }: ContractContext): void {
  describe('memories: create, get, update, delete', () => {
    it('creates a memory and reads it back', async () => {
      const user = await newUser('mem-crud')
      const input = newMemory({
        content: 'Buy oat milk',
        tags: ['Shopping', 'home'],
        importance: 4,
      })
      const created = await storage().memories.create(user, input)
      expect(created).toMatchObject({
        userId: user,
        content: 'Buy oat milk',
        tags: ['shopping', 'home'],
        importance: 4,
      })
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(created.createdAt).toMatch(ISO_MS)
      expect(created.updatedAt).toBe(created.createdAt)
      expect(await storage().memories.get(user, created.id)).toEqual(created)
    })

    it('get of an unknown id is undefined', async () => {
      const user = await newUser('mem-unknown')
      expect(await storage().memories.get(user, randomUUID())).toBeUndefined()
      expect(await storage().memories.get(user, 'not-a-uuid')).toBeUndefined()
    })

    it('updates each field alone and keeps the others', async () => {
      const user = await newUser('mem-update')
      const created = await storage().memories.create(
        user,
        newMemory({ content: 'first', tags: ['a'], importance: 2 }),
      )
      await sleep(3)
      const content = await storage().memories.update(user, created.id, { content: 'second' })
      expect(content).toMatchObject({ content: 'second', tags: ['a'], importance: 2 })
      expect(content?.createdAt).toBe(created.createdAt)
      expect(content!.updatedAt > created.updatedAt).toBe(true)
      const tags = await storage().memories.update(user, created.id, { tags: ['b', 'c'] })
      expect(tags).toMatchObject({ content: 'second', tags: ['b', 'c'], importance: 2 })
      const importance = await storage().memories.update(user, created.id, { importance: 5 })
      expect(importance).toMatchObject({ content: 'second', tags: ['b', 'c'], importance: 5 })
      expect(await storage().memories.get(user, created.id)).toEqual(importance)
      const cleared = await storage().memories.update(user, created.id, { tags: [] })
      expect(cleared?.tags).toEqual([])
    })

    it('update of an unknown id is undefined', async () => {
      const user = await newUser('mem-update-unknown')
      expect(await storage().memories.update(user, randomUUID(), { content: 'x' })).toBeUndefined()
    })

    it('deletes once', async () => {
      const user = await newUser('mem-delete')
      const created = await storage().memories.create(user, newMemory({ content: 'temporary' }))
      expect(await storage().memories.delete(user, created.id)).toBe(true)
      expect(await storage().memories.get(user, created.id)).toBeUndefined()
      expect(await storage().memories.delete(user, created.id)).toBe(false)
      expect(await storage().memories.update(user, created.id, { content: 'x' })).toBeUndefined()
    })

    it('round-trips Unicode content and tags exactly', async () => {
      const user = await newUser('mem-unicode')
      const content =
        'Grüße aus Köln 🎉 — 東京で寿司 · مرحبا بالعالم · e\u0301 (combining) · 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 · tab\tnew\nline'
      const tags = ['çà/ü', '東京', 'project:x.y-z_1']
      const created = await storage().memories.create(user, newMemory({ content, tags }))
      const read = await storage().memories.get(user, created.id)
      expect(read?.content).toBe(content)
      expect(read?.tags).toEqual(tags)
    })

    it('round-trips content of exactly the 64 KiB limit', async () => {
      const user = await newUser('mem-64k')
      const content = `${'é'.repeat(LIMITS.contentBytes / 2 - 4)}fine🎉`
      expect(utf8Length(content)).toBe(LIMITS.contentBytes)
      const created = await storage().memories.create(user, newMemory({ content }))
      expect((await storage().memories.get(user, created.id))?.content).toBe(content)
      const updated = await storage().memories.update(user, created.id, {
        content: content.replace('fine', 'done'),
      })
      expect(updated?.content.endsWith('done🎉')).toBe(true)
      expect(utf8Length(updated!.content)).toBe(LIMITS.contentBytes)
    })
  })
}
