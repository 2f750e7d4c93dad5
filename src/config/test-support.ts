import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect } from 'vitest'
import { ConfigError, defaultConfigPath, loadConfig } from './index.js'

type Env = Record<string, string | undefined>

/**
 * A temporary HOME per test (removed afterwards) and helpers that load the configuration from
 * it: shared by the loader and environment test files. Not part of the build.
 */
export function configHarness(prefix: string) {
  let home = ''
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), prefix))
  })
  afterEach(async () => {
    await rm(home, { recursive: true, force: true })
  })

  const load = (env: Env = {}, configPath?: string) => loadConfig({ configPath, env, home })
  return {
    home: () => home,
    load,
    async writeConfig(text: string, path = defaultConfigPath(home)): Promise<string> {
      await mkdir(join(path, '..'), { recursive: true })
      await writeFile(path, text)
      return path
    },
    async failure(env: Env = {}, configPath?: string): Promise<ConfigError> {
      const error: unknown = await load(env, configPath).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(ConfigError)
      return error as ConfigError
    },
  }
}
