import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { discoverConfigFiles } from './discover.js'

let root: string
let home: string
let cwd: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'audit-discover-'))
  home = join(root, 'home')
  cwd = join(root, 'project')
  await mkdir(cwd, { recursive: true })
})
afterEach(() => rm(root, { recursive: true, force: true }))

async function touch(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, '{}')
}

describe('discovery', () => {
  it.each<[NodeJS.Platform, Record<string, string>, string, string]>([
    [
      'darwin',
      {},
      'home/Library/Application Support/Claude/claude_desktop_config.json',
      'home/Library/Application Support/Code/User/mcp.json',
    ],
    [
      'linux',
      {},
      'home/.config/Claude/claude_desktop_config.json',
      'home/.config/Code/User/settings.json',
    ],
    [
      'linux',
      { XDG_CONFIG_HOME: 'XDG' },
      'xdg/Claude/claude_desktop_config.json',
      'xdg/Code/User/mcp.json',
    ],
    [
      'win32',
      { APPDATA: 'APPDATA' },
      'appdata/Claude/claude_desktop_config.json',
      'appdata/Code/User/settings.json',
    ],
  ])(
    'on %s %j finds Claude Desktop and VS Code user files',
    async (platform, vars, claude, vscode) => {
      const env = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, join(root, v.toLowerCase())]),
      )
      const expected = [claude, vscode].map((p) => join(root, p))
      for (const path of expected) await touch(path)
      const found = await discoverConfigFiles({ home, cwd, platform, env })
      expect(found.map((c) => c.path)).toEqual(expected)
      expect(found.every((c) => c.scope === 'user')).toBe(true)
    },
  )

  it('finds the cross-platform user files and every project file', async () => {
    const user = ['.claude.json', '.cursor/mcp.json', '.codeium/windsurf/mcp_config.json']
    const project = [
      '.mcp.json',
      '.cursor/mcp.json',
      '.vscode/mcp.json',
      '.claude/mcp/a.json',
      '.claude/mcp/b.json',
    ]
    for (const p of user) await touch(join(home, p))
    for (const p of project) await touch(join(cwd, p))
    await touch(join(cwd, '.claude/mcp/notes.txt'))
    const found = await discoverConfigFiles({ home, cwd, platform: 'linux', env: {} })
    expect(found.map((c) => `${c.scope}:${relative(root, c.path)}`)).toEqual([
      ...user.map((p) => `user:home/${p}`),
      ...project.map((p) => `project:project/${p}`),
    ])
  })

  it('puts explicit paths first, resolves them against cwd, dedupes, and --no-discover skips the rest', async () => {
    await touch(join(cwd, '.mcp.json'))
    await touch(join(home, '.claude.json'))
    const found = await discoverConfigFiles({ home, cwd, platform: 'linux', env: {} }, [
      '.mcp.json',
      'missing.json',
    ])
    expect(found.map((c) => [c.scope, relative(root, c.path)])).toEqual([
      ['explicit', 'project/.mcp.json'],
      ['explicit', 'project/missing.json'],
      ['user', 'home/.claude.json'],
    ])
    const only = await discoverConfigFiles(
      { home, cwd, platform: 'linux', env: {} },
      ['.mcp.json'],
      false,
    )
    expect(only).toHaveLength(1)
  })
})
