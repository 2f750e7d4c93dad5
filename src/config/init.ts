/**
 * `mcp-pa init`: writes a commented starter configuration. The directories it creates are 0700
 * and the file 0600, set explicitly after writing so the umask cannot loosen them.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { dirname, relative, resolve, sep } from 'node:path'
import { ConfigError } from './errors.js'
import { starterConfigText } from './starter.js'

export interface StarterConfigOptions {
  /** Where to write, e.g. `defaultConfigPath(home)`. */
  readonly path: string
  /** Write the http-mode flavour instead of local mode. */
  readonly http: boolean
  /** Overwrite an existing file. */
  readonly force?: boolean
}

/** Creates `dir` and its missing parents with mode 0700, set explicitly; existing ones are left as they are. */
async function makePrivateDir(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true, mode: 0o700 })
  if (first === undefined) return
  const created = relative(first, dir).split(sep).filter(Boolean)
  let current = first
  await chmod(current, 0o700)
  for (const part of created) {
    current = resolve(current, part)
    await chmod(current, 0o700)
  }
}

/** Writes the starter configuration and returns its absolute path. */
export async function writeStarterConfig(options: StarterConfigOptions): Promise<string> {
  const path = resolve(options.path)
  await makePrivateDir(dirname(path))
  try {
    await writeFile(path, starterConfigText(options.http), {
      mode: 0o600,
      flag: options.force ? 'w' : 'wx',
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigError(
        [{ path: '', problem: 'the file already exists', fix: 'use --force to overwrite it' }],
        path,
      )
    }
    throw error
  }
  await chmod(path, 0o600)
  return path
}
