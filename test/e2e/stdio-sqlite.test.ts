import { spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, call, spawnClient, tempHome, type Era } from '../helpers/spawn-client.js'
import { assistantSuite } from './assistant-suite.js'

// Each era gets its own HOME, so its own database: the suites assert on whole lists.
const homes = new Map<Era, { home: string; cleanup: () => Promise<void> }>()
beforeAll(async () => {
  for (const era of ['modern', 'legacy'] as Era[]) homes.set(era, await tempHome())
})
afterAll(async () => {
  for (const { cleanup } of homes.values()) await cleanup()
})

for (const era of ['modern', 'legacy'] as Era[]) {
  assistantSuite(`stdio + SQLite, ${era} protocol`, () =>
    spawnClient({ home: homes.get(era)?.home ?? '', era }),
  )
}

describe('stdio + SQLite: the process', () => {
  it('keeps memories and tasks across restarts, in ~/.config/mcp-pa with private permissions', async () => {
    const { home: own, cleanup: done } = await tempHome()
    try {
      const first = await spawnClient({ home: own })
      const saved = await call(first.client, 'memory_save', {
        content: 'persist me',
        tags: ['restart'],
      })
      const task = await call(first.client, 'task_create', { title: 'persist me too' })
      await first.close()

      const second = await spawnClient({ home: own, era: 'legacy' })
      const got = await call(second.client, 'memory_get', {
        id: saved.structuredContent?.memory.id,
      })
      expect(got.structuredContent?.memory.content).toBe('persist me')
      const tasks = await call(second.client, 'task_list', {})
      expect(tasks.structuredContent?.tasks[0].id).toBe(task.structuredContent?.task.id)
      expect(second.stderr()).toContain(join(own, '.config/mcp-pa/database.sqlite'))
      await second.close()

      const dir = await stat(join(own, '.config/mcp-pa'))
      const file = await stat(join(own, '.config/mcp-pa/database.sqlite'))
      expect(dir.mode & 0o777).toBe(0o700)
      expect(file.mode & 0o777).toBe(0o600)
    } finally {
      await done()
    }
  })

  it.each([
    ['end of stdin', (child: ReturnType<typeof spawn>) => child.stdin?.end()],
    ['SIGTERM', (child: ReturnType<typeof spawn>) => child.kill('SIGTERM')],
    ['SIGINT', (child: ReturnType<typeof spawn>) => child.kill('SIGINT')],
  ])('writes only JSON-RPC to stdout and exits 0 on %s', async (_label, stop) => {
    const { home: own, cleanup: done } = await tempHome()
    try {
      const child = spawn(process.execPath, [CLI, 'serve'], {
        env: { PATH: process.env.PATH ?? '', HOME: own },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }
      child.stdin.write(`${JSON.stringify(init)}\n`)
      await new Promise<void>((resolve) => {
        const check = () => (stdout.includes('\n') ? resolve() : setTimeout(check, 20))
        check()
      })
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`,
      )
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`)
      await new Promise<void>((resolve) => {
        const check = () => (stdout.split('\n').length > 2 ? resolve() : setTimeout(check, 20))
        check()
      })
      stop(child)
      const code = await new Promise<number | null>((resolve) =>
        child.on('exit', (c) => resolve(c)),
      )
      expect(code).toBe(0)
      const lines = stdout.split('\n').filter((l) => l.length > 0)
      expect(lines.length).toBeGreaterThanOrEqual(2)
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' })
      expect(stderr).toContain('database')
    } finally {
      await done()
    }
  })
})
