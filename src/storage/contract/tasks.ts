import { randomUUID } from 'node:crypto'
import { newTask, taskPatch } from '../../domain/index.js'
import type { ContractContext } from './context.js'
import { sleep } from './context.js'

export function taskContract({ describe, it, expect, storage, newUser }: ContractContext): void {
  describe('tasks: create, get, update, delete, status', () => {
    it('creates a task with defaults and reads it back', async () => {
      const user = await newUser('task-crud')
      const created = await storage().tasks.create(user, newTask({ title: '  File taxes ' }))
      expect(created).toMatchObject({
        userId: user,
        title: 'File taxes',
        notes: '',
        dueAt: null,
        priority: 'normal',
        status: 'open',
        tags: [],
        completedAt: null,
      })
      expect(created.updatedAt).toBe(created.createdAt)
      expect(await storage().tasks.get(user, created.id)).toEqual(created)
    })

    it('keeps every field, with due dates in UTC', async () => {
      const user = await newUser('task-fields')
      const created = await storage().tasks.create(
        user,
        newTask({
          title: 'Call the bank ☎️',
          notes: 'ask about the fee\nand the card',
          due: '2026-12-01T09:30:00+01:00',
          priority: 'urgent',
          tags: ['Finance', 'phone'],
        }),
      )
      expect(created).toMatchObject({
        dueAt: '2026-12-01T08:30:00.000Z',
        priority: 'urgent',
        tags: ['finance', 'phone'],
      })
      expect(await storage().tasks.get(user, created.id)).toEqual(created)
    })

    it('records completion when created done', async () => {
      const user = await newUser('task-created-done')
      const created = await storage().tasks.create(user, {
        ...newTask({ title: 'x' }),
        status: 'done',
      })
      expect(created.completedAt).toBe(created.createdAt)
      expect((await storage().tasks.get(user, created.id))?.completedAt).toBe(created.createdAt)
    })

    it('updates fields, clears the due date and returns undefined for unknown ids', async () => {
      const user = await newUser('task-update')
      const created = await storage().tasks.create(
        user,
        newTask({ title: 'draft', due: '2026-05-01', tags: ['a'] }),
      )
      await sleep(3)
      const patch = taskPatch({ title: 'final', notes: 'n', priority: 'high', tags: ['b'] })
      const updated = await storage().tasks.update(user, created.id, patch)
      expect(updated).toMatchObject({
        title: 'final',
        notes: 'n',
        priority: 'high',
        tags: ['b'],
        dueAt: '2026-05-01T00:00:00.000Z',
        createdAt: created.createdAt,
      })
      expect(updated!.updatedAt > created.updatedAt).toBe(true)
      const undated = await storage().tasks.update(user, created.id, taskPatch({ due: null }))
      expect(undated?.dueAt).toBeNull()
      expect(await storage().tasks.get(user, created.id)).toEqual(undated)
      expect(await storage().tasks.update(user, randomUUID(), { title: 'x' })).toBeUndefined()
    })

    it('sets completedAt when done, keeps it while done, clears it when reopened', async () => {
      const user = await newUser('task-status')
      const task = await storage().tasks.create(user, newTask({ title: 'status' }))
      const started = await storage().tasks.update(user, task.id, { status: 'in_progress' })
      expect(started).toMatchObject({ status: 'in_progress', completedAt: null })
      await sleep(3)
      const done = await storage().tasks.update(user, task.id, { status: 'done' })
      expect(done?.status).toBe('done')
      expect(done?.completedAt).toBe(done?.updatedAt)
      await sleep(3)
      const again = await storage().tasks.update(user, task.id, { status: 'done' })
      expect(again?.completedAt).toBe(done?.completedAt)
      const retitled = await storage().tasks.update(user, task.id, { title: 'renamed' })
      expect(retitled?.completedAt).toBe(done?.completedAt)
      const reopened = await storage().tasks.update(user, task.id, { status: 'open' })
      expect(reopened).toMatchObject({ status: 'open', completedAt: null })
      await storage().tasks.update(user, task.id, { status: 'done' })
      const cancelled = await storage().tasks.update(user, task.id, { status: 'cancelled' })
      expect(cancelled).toMatchObject({ status: 'cancelled', completedAt: null })
      expect(await storage().tasks.get(user, task.id)).toEqual(cancelled)
    })

    it('deletes once', async () => {
      const user = await newUser('task-delete')
      const task = await storage().tasks.create(user, newTask({ title: 'bye' }))
      expect(await storage().tasks.delete(user, task.id)).toBe(true)
      expect(await storage().tasks.get(user, task.id)).toBeUndefined()
      expect(await storage().tasks.delete(user, task.id)).toBe(false)
      expect(await storage().tasks.get(user, 'not-a-uuid')).toBeUndefined()
    })
  })
}
