import { defaultConfigPath, writeStarterConfig } from '../config/index.js'
import { parseFlags } from './args.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** `mcp-pa init [--http]`: writes a commented starting configuration (0600 in a 0700 dir). */
export async function init(argv: string[], env: CliEnv): Promise<number> {
  const { values } = parseFlags('init', argv, {
    http: { type: 'boolean' },
    config: { type: 'string', short: 'c' },
    force: { type: 'boolean', short: 'f' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    console.log(HELP.init)
    return EXIT.ok
  }
  const path = values.config ?? defaultConfigPath(env.home)
  const written = await writeStarterConfig({
    path,
    http: values.http === true,
    force: values.force === true,
  })
  console.log(
    `Wrote a ${values.http ? 'HTTP' : 'local'}-mode configuration to ${written} (mode 0600).`,
  )
  console.log('Check it with: mcp-pa config check' + (values.config ? ` --config ${written}` : ''))
  return EXIT.ok
}
