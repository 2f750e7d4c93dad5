import { newTask, taskFilter } from '../../domain/index.js'
import type { Task, TaskFilter } from '../../domain/index.js'
import type { ContractContext } from './context.js'
import { byTaskOrder, collectPages, rejectionCode, sleep } from './context.js'

const DUES = ['2026-03-01', '2026-01-15', null, '2026-02-01T12:00:00Z', '2026-01-15', null]

export function taskListContract(ctx: ContractContext): void {
  const { describe, it, expect, storage, newUser } = ctx
  const all = async (user: string, filter: TaskFilter, limit = 3) =>
    (await collectPages((cursor) => storage().tasks.list(user, filter, { limit, cursor }))).flat()
  const titles = async (user: string, filter: TaskFilter) =>
    (await all(user, filter)).map((task) => task.title).sort()

  describe('tasks: list, order, pagination and filters', () => {
    it('orders by due date (none last), then newest, and pages without gaps', async () => {
      const user = await newUser('tasks-order')
      const created: Task[] = []
      for (let i = 0; i < 20; i++) {
        const due = DUES[i % DUES.length] ?? null
        created.push(await storage().tasks.create(user, newTask({ title: `t${i}`, due })))
        if (i % 4 === 0) await sleep(2)
      }
      for (const limit of [1, 3, 7, 20, 100]) {
        const pages = await collectPages((cursor) =>
          storage().tasks.list(user, {}, { limit, cursor }),
        )
        const ids = pages.flat().map((task) => task.id)
        expect(ids).toEqual([...created].sort(byTaskOrder).map((task) => task.id))
        expect(pages.at(-1)?.length).toBeGreaterThan(0)
      }
      const first = await storage().tasks.list(user, {}, { limit: 2 })
      expect(first.items.map((t) => t.dueAt)).toEqual([
        '2026-01-15T00:00:00.000Z',
        '2026-01-15T00:00:00.000Z',
      ])
    })

    it('filters by status (any of), due bounds, tag and text; filters combine with AND', async () => {
      const user = await newUser('tasks-filter')
      const make = (title: string, extra: Parameters<typeof newTask>[0] = { title }) =>
        storage().tasks.create(user, newTask({ ...extra, title }))
      await make('Buy GROCERIES', { title: '', due: '2026-01-10', tags: ['home'] })
      await make('Write report', {
        title: '',
        notes: 'quarterly Grocery budget',
        due: '2026-01-20',
      })
      const done = await make('Pay rent', {
        title: '',
        due: '2026-01-20T00:00:00Z',
        tags: ['home'],
      })
      await storage().tasks.update(user, done.id, { status: 'done' })
      const started = await make('Ärger klären', { title: '', tags: ['work'] })
      await storage().tasks.update(user, started.id, { status: 'in_progress' })
      await make('100% sure', { title: '', notes: 'under_score' })

      expect(await titles(user, taskFilter({ status: ['done'] }))).toEqual(['Pay rent'])
      expect(await titles(user, taskFilter({ status: ['done', 'in_progress'] }))).toEqual([
        'Pay rent',
        'Ärger klären',
      ])
      // due_before is exclusive, due_after inclusive; undated tasks match neither.
      expect(await titles(user, taskFilter({ dueBefore: '2026-01-20' }))).toEqual(['Buy GROCERIES'])
      expect(await titles(user, taskFilter({ dueAfter: '2026-01-20' }))).toEqual([
        'Pay rent',
        'Write report',
      ])
      expect(
        await titles(
          user,
          taskFilter({ dueAfter: '2026-01-01', dueBefore: '2026-01-20T00:00:01Z' }),
        ),
      ).toEqual(['Buy GROCERIES', 'Pay rent', 'Write report'])
      expect(await titles(user, taskFilter({ tag: 'HOME' }))).toEqual(['Buy GROCERIES', 'Pay rent'])
      expect(await titles(user, taskFilter({ text: 'grocer' }))).toEqual([
        'Buy GROCERIES',
        'Write report',
      ])
      expect(await titles(user, taskFilter({ text: 'ärger' }))).toEqual(['Ärger klären'])
      expect(await titles(user, taskFilter({ text: '%' }))).toEqual(['100% sure'])
      expect(await titles(user, taskFilter({ text: '_' }))).toEqual(['100% sure'])
      expect(await titles(user, taskFilter({ text: 'r_p' }))).toEqual([])
      expect(await titles(user, taskFilter({ text: '\\' }))).toEqual([])
      expect(
        await titles(user, taskFilter({ tag: 'home', text: 'rent', status: ['done'] })),
      ).toEqual(['Pay rent'])
      expect(await titles(user, taskFilter({ tag: 'home', status: ['open'] }))).toEqual([
        'Buy GROCERIES',
      ])
      expect(await titles(user, taskFilter({ tag: 'nothing' }))).toEqual([])
    })

    it('keeps filters across pages', async () => {
      const user = await newUser('tasks-filter-pages')
      for (let i = 0; i < 9; i++) {
        await storage().tasks.create(
          user,
          newTask({ title: `job ${i}`, tags: i % 2 ? ['odd'] : [] }),
        )
      }
      const odd = await all(user, taskFilter({ tag: 'odd' }), 2)
      expect(odd.map((task) => task.title).sort()).toEqual(['job 1', 'job 3', 'job 5', 'job 7'])
    })

    it('refuses a malformed cursor and an out-of-range limit', async () => {
      const user = await newUser('tasks-cursor')
      await storage().memories.create(user, { content: 'm1', tags: [], importance: 3 })
      await storage().memories.create(user, { content: 'm2', tags: [], importance: 3 })
      const memoryPage = await storage().memories.list(user, { limit: 1 })
      for (const cursor of ['%%%', memoryPage.nextCursor!]) {
        expect(await rejectionCode(storage().tasks.list(user, {}, { limit: 5, cursor }))).toBe(
          'invalid_input',
        )
      }
      expect(await rejectionCode(storage().tasks.list(user, {}, { limit: 500 }))).toBe(
        'invalid_input',
      )
    })
  })
}
