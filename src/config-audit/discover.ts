import { access, readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Candidate } from './types.js'

/** What discovery needs from the machine, passed in so tests use temp dirs. */
export interface DiscoverOptions {
  home: string
  cwd: string
  platform: NodeJS.Platform
  env: Readonly<Record<string, string | undefined>>
}

/** The per-user application-data directory: `%APPDATA%`, `~/Library/Application Support`, `~/.config`. */
function appData({ home, platform, env }: DiscoverOptions): string {
  if (platform === 'win32') return env.APPDATA ?? join(home, 'AppData', 'Roaming')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support')
  return env.XDG_CONFIG_HOME ?? join(home, '.config')
}

/** Every known MCP client config location for this platform, whether or not it exists. */
export function knownConfigPaths(options: DiscoverOptions): Candidate[] {
  const { home, cwd } = options
  const data = appData(options)
  const user = (client: string, path: string): Candidate => ({ client, path, scope: 'user' })
  const project = (client: string, path: string): Candidate => ({
    client,
    path: join(cwd, path),
    scope: 'project',
  })
  return [
    user('Claude Desktop', join(data, 'Claude', 'claude_desktop_config.json')),
    user('Claude Code', join(home, '.claude.json')),
    user('Cursor', join(home, '.cursor', 'mcp.json')),
    user('Windsurf', join(home, '.codeium', 'windsurf', 'mcp_config.json')),
    user('VS Code', join(data, 'Code', 'User', 'settings.json')),
    user('VS Code', join(data, 'Code', 'User', 'mcp.json')),
    project('Claude Code', '.mcp.json'),
    project('Cursor', join('.cursor', 'mcp.json')),
    project('VS Code', join('.vscode', 'mcp.json')),
  ]
}

/** `.claude/mcp/*.json` in the project. */
async function claudeProjectDir(cwd: string): Promise<Candidate[]> {
  const dir = join(cwd, '.claude', 'mcp')
  try {
    const names = await readdir(dir)
    return names
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ client: 'Claude Code', path: join(dir, name), scope: 'project' }))
  } catch {
    return []
  }
}

/** Config files that exist, plus every explicitly named path (which must exist: checked later). */
export async function discoverConfigFiles(
  options: DiscoverOptions,
  explicit: string[] = [],
  discover = true,
): Promise<Candidate[]> {
  const found: Candidate[] = explicit.map((path) => ({
    client: 'named on the command line',
    path: resolve(options.cwd, path),
    scope: 'explicit',
  }))
  if (discover) {
    const known = [...knownConfigPaths(options), ...(await claudeProjectDir(options.cwd))]
    for (const candidate of known) {
      try {
        await access(candidate.path)
        found.push(candidate)
      } catch {
        // Not there: nothing to audit.
      }
    }
  }
  const seen = new Set<string>()
  return found.filter(({ path }) => !seen.has(path) && seen.add(path))
}
