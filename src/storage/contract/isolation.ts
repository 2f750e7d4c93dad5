import { newMemory, newTask, taskFilter } from '../../domain/index.js'
import type { ContractContext } from './context.js'

export function isolationContract({
  describe,
  it,
  expect,
  storage,
  newUser,
}: ContractContext): void {
  describe('user isolation', () => {
    it("user B cannot see, change, delete or find user A's rows, even with their ids", async () => {
      const alice = await newUser('alice')
      const bob = await newUser('bob')
      const vector = new Float32Array([1, 0, 0, 0])
      const embedding = { model: 'isolation-model', vector }
      const memory = await storage().memories.create(
        alice,
        newMemory({ content: 'alice secret diary', tags: ['private'] }),
        embedding,
      )
      const task = await storage().tasks.create(
        alice,
        newTask({ title: 'alice secret task', due: '2026-06-01', tags: ['private'] }),
      )

      expect(await storage().memories.get(bob, memory.id)).toBeUndefined()
      expect(await storage().memories.list(bob, { limit: 100 })).toEqual({
        items: [],
        nextCursor: null,
      })
      expect(await storage().memories.list(bob, { limit: 100, tags: ['private'] })).toEqual({
        items: [],
        nextCursor: null,
      })
      const search = { text: 'alice secret diary', tags: [], limit: 10 }
      expect(await storage().memories.search(bob, search)).toEqual([])
      expect(await storage().memories.search(bob, search, embedding)).toEqual([])
      // Semantic only (no word matches): Alice's identical vector is still not Bob's neighbour.
      const nearOnly = { text: 'zzz', tags: [], limit: 10 }
      expect(await storage().memories.search(bob, nearOnly, embedding)).toEqual([])
      expect(
        await storage().memories.search(bob, { ...nearOnly, tags: ['private'] }, embedding),
      ).toEqual([])
      expect(await storage().memories.update(bob, memory.id, { content: 'pwned' })).toBeUndefined()
      expect(
        await storage().memories.update(bob, memory.id, { tags: ['x'] }, embedding),
      ).toBeUndefined()
      expect(await storage().memories.delete(bob, memory.id)).toBe(false)

      expect(await storage().tasks.get(bob, task.id)).toBeUndefined()
      expect(await storage().tasks.list(bob, {}, { limit: 100 })).toEqual({
        items: [],
        nextCursor: null,
      })
      expect(
        await storage().tasks.list(bob, taskFilter({ tag: 'private', text: 'secret' }), {
          limit: 10,
        }),
      ).toEqual({ items: [], nextCursor: null })
      expect(await storage().tasks.update(bob, task.id, { status: 'done' })).toBeUndefined()
      expect(await storage().tasks.delete(bob, task.id)).toBe(false)

      // A cursor taken from Alice's listing does not open Alice's rows to Bob either.
      await storage().memories.create(alice, newMemory({ content: 'second' }))
      const alicePage = await storage().memories.list(alice, { limit: 1 })
      expect(alicePage.nextCursor).not.toBeNull()
      const bobPage = await storage().memories.list(bob, {
        limit: 10,
        cursor: alicePage.nextCursor!,
      })
      expect(bobPage.items).toEqual([])

      // Alice's rows are untouched.
      expect(await storage().memories.get(alice, memory.id)).toEqual(memory)
      expect(await storage().tasks.get(alice, task.id)).toEqual(task)
      const hits = await storage().memories.search(alice, search, embedding)
      expect(hits.map((hit) => hit.memory.id)).toContain(memory.id)

      // With rows of his own that look just like Alice's, Bob finds only his, and so does Alice.
      const bobs = await storage().memories.create(
        bob,
        newMemory({ content: 'bob secret diary', tags: ['private'] }),
        embedding,
      )
      const bobTask = await storage().tasks.create(
        bob,
        newTask({ title: 'bob secret task', due: '2026-06-01', tags: ['private'] }),
      )
      const ids = (found: Array<{ memory: { id: string } }>) => found.map((hit) => hit.memory.id)
      expect(ids(await storage().memories.search(bob, search, embedding))).toEqual([bobs.id])
      expect(ids(await storage().memories.search(bob, nearOnly, embedding))).toEqual(
        storage().capabilities.vectorSearch ? [bobs.id] : [],
      )
      expect(ids(await storage().memories.search(alice, nearOnly, embedding))).not.toContain(
        bobs.id,
      )
      expect((await storage().memories.list(bob, { limit: 100 })).items).toEqual([bobs])
      expect((await storage().tasks.list(bob, {}, { limit: 100 })).items).toEqual([bobTask])
      const aliceTasks = await storage().tasks.list(alice, taskFilter({ text: 'secret' }), {
        limit: 100,
      })
      expect(aliceTasks.items).toEqual([task])
      expect(await storage().tasks.get(alice, bobTask.id)).toBeUndefined()
      expect(await storage().tasks.update(alice, bobTask.id, { title: 'x' })).toBeUndefined()
      expect(await storage().tasks.delete(alice, bobTask.id)).toBe(false)
      expect(await storage().memories.delete(alice, bobs.id)).toBe(false)
      expect(await storage().memories.get(bob, bobs.id)).toEqual(bobs)
      expect(await storage().tasks.get(bob, bobTask.id)).toEqual(bobTask)
    })

    it("another user's many better matches do not hide a user's own", async () => {
      const alice = await newUser('alice-many')
      const bob = await newUser('bob-one')
      for (let i = 0; i < 60; i++) {
        await storage().memories.create(alice, newMemory({ content: 'quince quince', tags: ['t'] }))
      }
      const mine = await storage().memories.create(
        bob,
        newMemory({
          content: 'a long note that mentions quince once among many other words',
          tags: ['t'],
        }),
      )
      for (const tags of [[], ['t']]) {
        const hits = await storage().memories.search(bob, { text: 'quince', tags, limit: 5 })
        expect(hits.map((hit) => hit.memory.id)).toEqual([mine.id])
      }
    })
  })
}
