import { ConfigError, loadConfig, type Config } from '../config/index.js'
import { CliError, EXIT } from './exit-codes.js'

/** What the CLI reads from its environment, passed in so tests can set it. */
export interface CliEnv {
  vars: Record<string, string | undefined>
  home: string
}

/** Loads file + environment; a ConfigError becomes exit code 3 with the readable report. */
export async function loadEffectiveConfig(
  configPath: string | undefined,
  env: CliEnv,
): Promise<{ config: Config; source: string | null; warnings: string[] }> {
  try {
    return await loadConfig({ configPath, env: env.vars, home: env.home })
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.format(), EXIT.config)
    throw error
  }
}
