import { z } from 'zod'
import {
  DomainError,
  decodeCursor,
  LIMITS,
  newTask,
  pageLimit,
  taskFilter,
  taskPatch,
  type Task,
} from '../domain/index.js'
import type { ToolContext } from './context.js'
import { defineTool, DELETE, READ_ONLY, UPDATE, WRITE } from './define.js'
import {
  cursorSchema,
  idSchema,
  isoDateSchema,
  limitSchema,
  prioritySchema,
  statusSchema,
  tagsSchema,
  taskToWire,
  taskWire,
} from './schemas.js'
import { listText, taskLine } from './text.js'

const taskResult = z.object({ task: taskWire })
const titleSchema = z
  .string()
  .min(1, 'title is empty: name the task')
  .max(LIMITS.titleChars, `title is longer than ${LIMITS.titleChars} characters`)
const notesSchema = z
  .string()
  .max(LIMITS.notesBytes, `notes are larger than ${LIMITS.notesBytes / 1024} KiB`)
  .describe('Free-form details (up to 64 KiB)')

function notFound(id: string): DomainError {
  return new DomainError(
    'task_not_found',
    `no task with id ${id}: use task_list to find the right id`,
  )
}

async function update(
  ctx: ToolContext,
  id: string,
  patch: ReturnType<typeof taskPatch>,
): Promise<Task> {
  const task = await ctx.tasks.update(ctx.userId, id, patch)
  if (task === undefined) throw notFound(id)
  return task
}

export const taskCreate = defineTool({
  name: 'task_create',
  title: 'Create a task',
  description: 'Add a task to the to-do list, with optional notes, due date, priority and tags.',
  scopes: ['tasks:write'],
  annotations: WRITE,
  input: z.strictObject({
    title: titleSchema,
    notes: notesSchema.optional(),
    due: isoDateSchema.optional(),
    priority: prioritySchema.optional().describe('low, normal (default), high or urgent'),
    tags: tagsSchema.optional(),
  }),
  output: taskResult,
  example: { title: 'Renew passport', due: '2026-12-15', priority: 'high', tags: ['admin'] },
  async run(ctx, input) {
    const wire = taskToWire(await ctx.tasks.create(ctx.userId, newTask(input)))
    return { structured: { task: wire }, text: `Created task ${wire.id}.\n${taskLine(wire)}` }
  },
})

export const taskList = defineTool({
  name: 'task_list',
  title: 'List tasks',
  description:
    'List tasks, soonest due first (undated last). Filter by status, due date range, tag or text in title and notes.',
  scopes: ['tasks:read'],
  annotations: READ_ONLY,
  input: z.strictObject({
    status: z
      .union([statusSchema, z.array(statusSchema).max(4)])
      .optional()
      .describe('open, in_progress, done, cancelled — one or a list'),
    due_before: isoDateSchema.optional().describe('Only tasks due before this date'),
    due_after: isoDateSchema.optional().describe('Only tasks due on or after this date'),
    tag: z.string().max(LIMITS.tagChars).optional().describe('Only tasks with this tag'),
    text: z
      .string()
      .max(200)
      .optional()
      .describe('Only tasks whose title or notes contain this text'),
    limit: limitSchema.optional(),
    cursor: cursorSchema.optional(),
  }),
  output: z.object({ tasks: z.array(taskWire), next_cursor: z.string().nullable() }),
  example: { status: 'open', due_before: '2026-12-31', tag: 'admin' },
  async run(ctx, input) {
    const status = input.status === undefined ? undefined : [input.status].flat()
    const filter = taskFilter({
      status,
      dueBefore: input.due_before,
      dueAfter: input.due_after,
      tag: input.tag,
      text: input.text,
    })
    if (input.cursor !== undefined) decodeCursor(input.cursor)
    const page = await ctx.tasks.list(ctx.userId, filter, {
      limit: pageLimit(input.limit),
      cursor: input.cursor,
    })
    const tasks = page.items.map(taskToWire)
    const text = listText(
      `${tasks.length} tasks:`,
      tasks.map(taskLine),
      'No tasks match.',
      page.nextCursor,
    )
    return { structured: { tasks, next_cursor: page.nextCursor }, text }
  },
})

export const taskUpdate = defineTool({
  name: 'task_update',
  title: 'Update a task',
  description:
    'Change any field of a task. Fields left out stay as they are; due: null removes the due date.',
  scopes: ['tasks:write'],
  annotations: UPDATE,
  input: z.strictObject({
    id: idSchema,
    title: titleSchema.optional(),
    notes: notesSchema.optional(),
    due: isoDateSchema.nullable().optional(),
    priority: prioritySchema.optional(),
    status: statusSchema.optional(),
    tags: tagsSchema.optional().describe('Replaces all tags'),
  }),
  output: taskResult,
  example: { id: '9b2d7c1a-3e4f-4a5b-8c6d-7e8f9a0b1c2d', status: 'in_progress' },
  async run(ctx, input) {
    const wire = taskToWire(await update(ctx, input.id, taskPatch(input)))
    return { structured: { task: wire }, text: `Updated task ${wire.id}.\n${taskLine(wire)}` }
  },
})

export const taskComplete = defineTool({
  name: 'task_complete',
  title: 'Complete a task',
  description: 'Mark a task as done (records when). Completing a done task changes nothing.',
  scopes: ['tasks:write'],
  annotations: UPDATE,
  input: z.strictObject({ id: idSchema }),
  output: taskResult,
  example: { id: '9b2d7c1a-3e4f-4a5b-8c6d-7e8f9a0b1c2d' },
  async run(ctx, input) {
    const wire = taskToWire(await update(ctx, input.id, { status: 'done' }))
    return { structured: { task: wire }, text: `Completed task ${wire.id}.\n${taskLine(wire)}` }
  },
})

export const taskDelete = defineTool({
  name: 'task_delete',
  title: 'Delete a task',
  description: 'Remove a task for good. This cannot be undone.',
  scopes: ['tasks:write'],
  annotations: DELETE,
  input: z.strictObject({ id: idSchema }),
  output: z.object({ deleted: z.literal(true), id: z.string() }),
  example: { id: '9b2d7c1a-3e4f-4a5b-8c6d-7e8f9a0b1c2d' },
  async run(ctx, input) {
    if (!(await ctx.tasks.delete(ctx.userId, input.id))) throw notFound(input.id)
    return {
      structured: { deleted: true as const, id: input.id },
      text: `Deleted task ${input.id}.`,
    }
  },
})
