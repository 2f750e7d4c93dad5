import { newMemory } from '../../domain/index.js'
import type { MemorySearchQuery } from '../../domain/index.js'
import type { ContractContext } from './context.js'
import { rejectionCode } from './context.js'

const query = (text: string, extra: Partial<MemorySearchQuery> = {}): MemorySearchQuery => ({
  text,
  tags: [],
  limit: 10,
  ...extra,
})

export function searchContract({ describe, it, expect, storage, newUser }: ContractContext): void {
  const save = (user: string, content: string, tags: string[] = []) =>
    storage().memories.create(user, newMemory({ content, tags }))
  const contents = async (user: string, q: MemorySearchQuery) =>
    (await storage().memories.search(user, q)).map((hit) => hit.memory.content)

  describe('memories: full-text search', () => {
    it('ranks the better match first and leaves out non-matches', async () => {
      const user = await newUser('fts-rank')
      await save(user, 'PostgreSQL connection pooling with pgbouncer')
      await save(user, 'Gardening: water the tomatoes every morning')
      await save(user, 'PostgreSQL vacuum tuning: autovacuum thresholds and vacuum cost limits')
      const hits = await storage().memories.search(user, query('postgresql vacuum'))
      expect(hits.map((hit) => hit.memory.content)).toEqual([
        'PostgreSQL vacuum tuning: autovacuum thresholds and vacuum cost limits',
        'PostgreSQL connection pooling with pgbouncer',
      ])
      expect(hits.every((hit) => hit.matchedBy.join() === 'fulltext')).toBe(true)
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score)
    })

    it('returns nothing (not an error) for a query without letters or digits', async () => {
      const user = await newUser('fts-empty')
      await save(user, 'anything at all')
      expect(await storage().memories.search(user, query('  !!! ??? -- '))).toEqual([])
      expect(await storage().memories.search(user, query(''))).toEqual([])
    })

    it('treats query syntax and SQL as plain words', async () => {
      const user = await newUser('fts-syntax')
      await save(user, 'robert tables')
      const nasty = [
        `"'); drop table memories; --`,
        'NEAR(robert tables) OR * AND NOT',
        "robert' | tables:* & !x",
        'content:robert',
      ]
      for (const text of nasty) {
        await expect(storage().memories.search(user, query(text))).resolves.toBeInstanceOf(Array)
      }
      expect(await contents(user, query(`"robert" OR ")`))).toEqual(['robert tables'])
    })

    it('is case- and accent-insensitive where the words are, and splits on punctuation', async () => {
      const user = await newUser('fts-case')
      await save(
        user,
        'Meet at Café Zürich, mail ops@example.com or see https://wiki.example.org/Runbook',
      )
      expect(await contents(user, query('CAFÉ'))).toHaveLength(1)
      expect(await contents(user, query('zürich'))).toHaveLength(1)
      expect(await contents(user, query('example'))).toHaveLength(1)
      expect(await contents(user, query('runbook'))).toHaveLength(1)
    })

    it('matches the last word as a prefix', async () => {
      const user = await newUser('fts-prefix')
      await save(user, 'Kubernetes cluster upgrade notes')
      expect(await contents(user, query('kubern'))).toHaveLength(1)
      expect(await contents(user, query('cluster upgr'))).toHaveLength(1)
    })

    it('finds words of other scripts', async () => {
      const user = await newUser('fts-unicode')
      await save(user, '東京 の 天気 は 晴れ')
      await save(user, 'Привет мир, это заметка')
      expect(await contents(user, query('天気'))).toEqual(['東京 の 天気 は 晴れ'])
      expect(await contents(user, query('ЗАМЕТКА'))).toEqual(['Привет мир, это заметка'])
    })

    it('searches tags too, filters by tags and honours the limit', async () => {
      const user = await newUser('fts-tags')
      await save(user, 'alpha one', ['work'])
      await save(user, 'alpha two', ['work', 'urgent'])
      await save(user, 'alpha three', ['home'])
      await save(user, 'holiday plans', ['travel'])
      expect(await contents(user, query('travel'))).toEqual(['holiday plans'])
      expect((await contents(user, query('alpha', { tags: ['work'] }))).sort()).toEqual([
        'alpha one',
        'alpha two',
      ])
      expect(await contents(user, query('alpha', { tags: ['work', 'urgent'] }))).toEqual([
        'alpha two',
      ])
      expect(await contents(user, query('alpha', { limit: 2 }))).toHaveLength(2)
      expect(
        await rejectionCode(storage().memories.search(user, query('alpha', { limit: 0 }))),
      ).toBe('invalid_input')
    })

    it('follows updates and deletes', async () => {
      const user = await newUser('fts-follow')
      const memory = await save(user, 'original wording')
      await storage().memories.update(user, memory.id, { content: 'replacement phrasing' })
      expect(await contents(user, query('original'))).toEqual([])
      expect(await contents(user, query('replacement'))).toEqual(['replacement phrasing'])
      await storage().memories.update(user, memory.id, { tags: ['newtag'] })
      expect(await contents(user, query('newtag'))).toEqual(['replacement phrasing'])
      await storage().memories.delete(user, memory.id)
      expect(await contents(user, query('replacement'))).toEqual([])
    })
  })
}
