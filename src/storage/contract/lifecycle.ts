import { newMemory, newTask } from '../../domain/index.js'
import type { ContractContext } from './context.js'

export function lifecycleContract(ctx: ContractContext): void {
  const { describe, it, expect, storage, open, options } = ctx

  describe('lifecycle', () => {
    it('describes itself and answers ping', async () => {
      expect(['sqlite', 'postgresql']).toContain(storage().capabilities.dialect)
      expect(typeof storage().capabilities.vectorSearch).toBe('boolean')
      expect(storage().location.length).toBeGreaterThan(0)
      await expect(storage().ping()).resolves.toBeUndefined()
    })

    it('close is idempotent, also when called concurrently', async () => {
      const other = await open()
      await other.ping()
      await Promise.all([other.close(), other.close()])
      await expect(other.close()).resolves.toBeUndefined()
    })

    it('refuses every query after close with one clear error, the OAuth artifacts included', async () => {
      const other = await open()
      await other.artifacts.upsert('Session', 'closing-session', { accountId: 'a' }, 60)
      await other.close()
      const closed = { code: 'storage_unavailable' }
      await expect(other.ping()).rejects.toMatchObject(closed)
      // The artifact store's fixed-text statements bypass Kysely's plugins: checked on their own.
      await expect(other.artifacts.find('Session', 'closing-session')).rejects.toMatchObject(closed)
      await expect(other.artifacts.consume('Session', 'closing-session')).rejects.toMatchObject(
        closed,
      )
      await expect(
        other.artifacts.upsert('Session', 'closing-session', { accountId: 'a' }, 60),
      ).rejects.toMatchObject(closed)
      await expect(other.users.ensure('https://closed.example', 'someone')).rejects.toMatchObject(
        closed,
      )
    })

    it.runIf(options.persistent === true)('keeps data across close and reopen', async () => {
      const first = await open()
      const user = await first.users.ensure('https://persist.example', `p-${Date.now()}`)
      const memory = await first.memories.create(
        user.id,
        newMemory({ content: 'persistent lighthouse', tags: ['keep'] }),
      )
      const task = await first.tasks.create(user.id, newTask({ title: 'persist me' }))
      await first.close()

      const second = await open()
      try {
        expect(await second.users.ensure('https://persist.example', user.subject)).toEqual(user)
        expect(await second.memories.get(user.id, memory.id)).toEqual(memory)
        expect(await second.tasks.get(user.id, task.id)).toEqual(task)
        const hits = await second.memories.search(user.id, {
          text: 'lighthouse',
          tags: ['keep'],
          limit: 5,
        })
        expect(hits.map((hit) => hit.memory.id)).toEqual([memory.id])
      } finally {
        await second.close()
      }
    })
  })
}
