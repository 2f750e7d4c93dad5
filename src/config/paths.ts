import { join } from 'node:path'

/** Where the configuration file lives unless `--config` says otherwise. */
export function defaultConfigPath(home: string): string {
  return join(home, '.config', 'mcp-pa', 'config.json')
}

/** Expands a leading `~` (alone or followed by `/`) against the given home directory. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home
  return path.startsWith('~/') ? join(home, path.slice(2)) : path
}
