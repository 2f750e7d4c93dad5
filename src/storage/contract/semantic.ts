import { newMemory } from '../../domain/index.js'
import type { MemorySearchQuery } from '../../domain/index.js'
import type { QueryEmbedding } from '../ports.js'
import type { ContractContext } from './context.js'
import { rejectionCode } from './context.js'

const MODEL = 'contract-model-4d'
const vec = (...values: number[]) => ({ model: MODEL, vector: new Float32Array(values) })
const query = (text: string, extra: Partial<MemorySearchQuery> = {}): MemorySearchQuery => ({
  text,
  tags: [],
  limit: 10,
  ...extra,
})

export function semanticContract(ctx: ContractContext): void {
  const { describe, it, expect, storage, newUser } = ctx
  const save = (user: string, content: string, embedding: QueryEmbedding, tags: string[] = []) =>
    storage().memories.create(user, newMemory({ content, tags }), embedding)
  const hitsOf = async (user: string, q: MemorySearchQuery, embedding?: QueryEmbedding) =>
    (await storage().memories.search(user, q, embedding)).map((hit) => ({
      content: hit.memory.content,
      matchedBy: hit.matchedBy,
    }))

  // Capability-conditional cases: each backend runs the half that applies to it (skipped cases
  // are the other half, never disabled tests). The contract runs with and without vectors.
  describe('memories: semantic search', () => {
    it('without vector support, embeddings are accepted and search falls back to full text', async (test) => {
      if (storage().capabilities.vectorSearch) test.skip()
      expect(storage().capabilities.vectorSearchUnavailableReason).toEqual(expect.any(String))
      const user = await newUser('sem-off')
      const memory = await save(user, 'apple orchard', vec(1, 0, 0, 0))
      await storage().memories.update(user, memory.id, { content: 'apple tree' }, vec(0, 1, 0, 0))
      expect(await hitsOf(user, query('apple'), vec(1, 0, 0, 0))).toEqual([
        { content: 'apple tree', matchedBy: ['fulltext'] },
      ])
    })

    describe('with vector support', () => {
      it('fuses semantic neighbours with full-text hits; a hit of both ranks first', async (test) => {
        if (!storage().capabilities.vectorSearch) test.skip()
        const user = await newUser('sem-fuse')
        await save(user, 'apple pie recipe', vec(0, 1, 0, 0))
        await save(user, 'bicycle repair', vec(0.9, 0.1, 0, 0))
        await save(user, 'apple orchard visit', vec(1, 0, 0, 0))
        const hits = await storage().memories.search(user, query('apple'), vec(1, 0, 0.05, 0))
        expect(hits[0]?.memory.content).toBe('apple orchard visit')
        expect(hits[0]?.matchedBy).toEqual(['fulltext', 'semantic'])
        const bicycle = hits.find((hit) => hit.memory.content === 'bicycle repair')
        expect(bicycle?.matchedBy).toEqual(['semantic'])
        expect(hits.map((hit) => hit.score)).toEqual(
          [...hits.map((hit) => hit.score)].sort((a, b) => b - a),
        )
        expect(await hitsOf(user, query('apple', { limit: 1 }), vec(1, 0, 0, 0))).toHaveLength(1)
      })

      it('never compares vectors of another model or dimension', async (test) => {
        if (!storage().capabilities.vectorSearch) test.skip()
        const user = await newUser('sem-model')
        await save(user, 'bicycle repair', vec(1, 0, 0, 0))
        const other = { model: 'another-model', vector: new Float32Array([1, 0, 0, 0]) }
        expect(await hitsOf(user, query('apple'), other)).toEqual([])
        const wider = { model: MODEL, vector: new Float32Array([1, 0, 0, 0, 0, 0]) }
        expect(await hitsOf(user, query('apple'), wider)).toEqual([])
        expect(await hitsOf(user, query('apple'), vec(1, 0, 0, 0))).toEqual([
          { content: 'bicycle repair', matchedBy: ['semantic'] },
        ])
      })

      it('replaces a vector on update and drops it when content changes without one', async (test) => {
        if (!storage().capabilities.vectorSearch) test.skip()
        const user = await newUser('sem-update')
        const memory = await save(user, 'bicycle repair', vec(0, 0, 1, 0))
        await storage().memories.update(user, memory.id, { importance: 5 }, vec(1, 0, 0, 0))
        expect(await hitsOf(user, query('zebra'), vec(1, 0, 0, 0))).toEqual([
          { content: 'bicycle repair', matchedBy: ['semantic'] },
        ])
        await storage().memories.update(user, memory.id, { content: 'bicycle chain' })
        expect(await hitsOf(user, query('zebra'), vec(1, 0, 0, 0))).toEqual([])
        await storage().memories.delete(user, memory.id)
        expect(await hitsOf(user, query('bicycle'), vec(1, 0, 0, 0))).toEqual([])
      })

      it('filters semantic hits by tags', async (test) => {
        if (!storage().capabilities.vectorSearch) test.skip()
        const user = await newUser('sem-tags')
        await save(user, 'north', vec(1, 0, 0, 0), ['map'])
        await save(user, 'east', vec(0.8, 0.2, 0, 0), ['other'])
        expect(await hitsOf(user, query('compass', { tags: ['map'] }), vec(1, 0, 0, 0))).toEqual([
          { content: 'north', matchedBy: ['semantic'] },
        ])
      })

      it('without a query embedding, search is full text only', async (test) => {
        if (!storage().capabilities.vectorSearch) test.skip()
        const user = await newUser('sem-none')
        await save(user, 'apple orchard', vec(1, 0, 0, 0))
        await save(user, 'bicycle', vec(1, 0, 0, 0))
        expect(await hitsOf(user, query('apple'))).toEqual([
          { content: 'apple orchard', matchedBy: ['fulltext'] },
        ])
      })

      it('refuses invalid vectors', async (test) => {
        if (!storage().capabilities.vectorSearch) test.skip()
        const user = await newUser('sem-invalid')
        const bad = [
          vec(0, 0, 0, 0),
          vec(1, Number.NaN, 0, 0),
          { model: '', vector: new Float32Array([1]) },
        ]
        for (const embedding of bad) {
          expect(await rejectionCode(save(user, 'x', embedding))).toBe('invalid_input')
          expect(await rejectionCode(storage().memories.search(user, query('x'), embedding))).toBe(
            'invalid_input',
          )
        }
        expect((await storage().memories.list(user, { limit: 10 })).items).toEqual([])
      })
    })
  })
}
