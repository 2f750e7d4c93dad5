import { describe, expect, it } from 'vitest'
import { check, server } from '../test-support.js'
import { undefinedEnvReference } from './undefined-env-reference.js'

describe('undefined-env-reference', () => {
  it.each<[string, unknown, Record<string, string>, string[], string[]]>([
    ['unset ${VAR}', server({ env: { T: '${GH_TOKEN}' } }), {}, [], ['GH_TOKEN']],
    ['unset ${env:VAR}', server({ headers: { A: 'Bearer ${env:API}' } }), {}, [], ['API']],
    [
      'in args and url',
      server({ url: 'https://${HOST}/mcp', args: ['${A}'] }),
      {},
      [],
      ['A', 'HOST'],
    ],
    ['set in the environment', server({ env: { T: '${GH_TOKEN}' } }), { GH_TOKEN: 'x' }, [], []],
    [
      'set in the .env next to the config',
      server({ env: { T: '${GH_TOKEN}' } }),
      {},
      ['GH_TOKEN'],
      [],
    ],
    ['with a default', server({ env: { T: '${GH_TOKEN:-none}' } }), {}, [], []],
    ['VS Code predefined variable', server({ args: ['${workspaceFolder}/x'] }), {}, [], []],
    ['VS Code input variable', server({ env: { T: '${input:token}' } }), {}, [], []],
  ])('%s', (_name, config, env, dotenv, expected) => {
    const findings = check(undefinedEnvReference, config, {
      env,
      facts: { dotenvNames: new Set(dotenv) },
    })
    const names = findings.map((f) => /\$\{(\w+)\}/.exec(f.message)?.[1]).sort()
    expect(names).toEqual(expected)
    for (const finding of findings) expect(finding.severity).toBe('note')
  })
})
