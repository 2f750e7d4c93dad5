import { newMemory, newTask } from '../../domain/index.js'
import type { Memory } from '../../domain/index.js'
import type { ContractContext } from './context.js'
import { byMemoryOrder, collectPages, rejectionCode, sleep } from './context.js'

export function memoryListContract(ctx: ContractContext): void {
  const { describe, it, expect, storage, newUser } = ctx
  const list = (user: string, limit: number, tags?: string[]) =>
    collectPages((cursor) =>
      storage().memories.list(user, { limit, cursor, ...(tags !== undefined && { tags }) }),
    )

  describe('memories: list and pagination', () => {
    it('is empty for a new user', async () => {
      const user = await newUser('list-empty')
      expect(await storage().memories.list(user, { limit: 10 })).toEqual({
        items: [],
        nextCursor: null,
      })
    })

    it('pages through everything newest first without duplicates or gaps', async () => {
      const user = await newUser('list-pages')
      const created: Memory[] = []
      for (let i = 0; i < 23; i++) {
        created.push(await storage().memories.create(user, newMemory({ content: `note ${i}` })))
        if (i % 5 === 0) await sleep(2)
      }
      const pages = await list(user, 5)
      expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3])
      expect(pages.flat().map((m) => m.id)).toEqual(
        [...created].sort(byMemoryOrder).map((m) => m.id),
      )
    })

    it('ends with a null cursor when the last page is exactly full', async () => {
      const user = await newUser('list-exact')
      for (let i = 0; i < 4; i++)
        await storage().memories.create(user, newMemory({ content: `n${i}` }))
      const page = await storage().memories.list(user, { limit: 4 })
      expect(page.items).toHaveLength(4)
      expect(page.nextCursor).toBeNull()
    })

    it('moves an updated memory to the front', async () => {
      const user = await newUser('list-updated')
      const old = await storage().memories.create(user, newMemory({ content: 'old' }))
      await sleep(3)
      await storage().memories.create(user, newMemory({ content: 'new' }))
      await sleep(3)
      await storage().memories.update(user, old.id, { importance: 5 })
      const page = await storage().memories.list(user, { limit: 10 })
      expect(page.items.map((m) => m.content)).toEqual(['old', 'new'])
    })

    it('filters by tags: a memory must carry every tag asked for', async () => {
      const user = await newUser('list-tags')
      const both = await storage().memories.create(
        user,
        newMemory({ content: 'ab', tags: ['a', 'b'] }),
      )
      const onlyA = await storage().memories.create(user, newMemory({ content: 'a', tags: ['a'] }))
      await storage().memories.create(user, newMemory({ content: 'b', tags: ['b'] }))
      await storage().memories.create(user, newMemory({ content: 'none' }))
      const ids = async (tags: string[]) =>
        (await list(user, 2, tags))
          .flat()
          .map((m) => m.id)
          .sort()
      expect(await ids(['a', 'b'])).toEqual([both.id])
      expect(await ids(['a'])).toEqual([both.id, onlyA.id].sort())
      expect(await ids(['A'])).toEqual([both.id, onlyA.id].sort())
      expect(await ids(['zzz'])).toEqual([])
      await storage().memories.update(user, onlyA.id, { tags: ['c'] })
      expect(await ids(['a'])).toEqual([both.id])
      expect(await ids(['c'])).toEqual([onlyA.id])
      await storage().memories.delete(user, both.id)
      expect(await ids(['b'])).toHaveLength(1)
    })

    it('refuses a malformed cursor, a task cursor and an out-of-range limit', async () => {
      const user = await newUser('list-cursor')
      for (let i = 0; i < 3; i++)
        await storage().memories.create(user, newMemory({ content: `c${i}` }))
      for (let i = 0; i < 3; i++) await storage().tasks.create(user, newTask({ title: `t${i}` }))
      const taskPage = await storage().tasks.list(user, {}, { limit: 1 })
      const bad = ['garbage', Buffer.from('["x","y"]').toString('base64url'), taskPage.nextCursor!]
      for (const cursor of bad) {
        expect(await rejectionCode(storage().memories.list(user, { limit: 1, cursor }))).toBe(
          'invalid_input',
        )
      }
      for (const limit of [0, 101, 1.5]) {
        expect(await rejectionCode(storage().memories.list(user, { limit }))).toBe('invalid_input')
      }
    })
  })
}
