import { describe, expect, it } from 'vitest'
import { check, fake, server } from '../test-support.js'
import type { Scope } from '../types.js'
import { loosePermissions } from './loose-permissions.js'

const clean = server({ command: 'node', args: ['x.js'] })
const withSecret = server({ env: { GITHUB_TOKEN: fake.github() } })

describe('loose-permissions', () => {
  it.each<[string, Scope, unknown, number, number, boolean, NodeJS.Platform, string[]]>([
    ['user file 0644', 'user', clean, 0o644, 0o700, true, 'linux', ['chmod 600']],
    ['user dir 0755', 'user', clean, 0o600, 0o755, true, 'linux', ['chmod 700']],
    ['both loose', 'explicit', clean, 0o664, 0o775, true, 'darwin', ['chmod 600', 'chmod 700']],
    ['dir not checked (home or cwd)', 'user', clean, 0o600, 0o755, false, 'linux', []],
    ['tight', 'user', clean, 0o600, 0o700, true, 'linux', []],
    ['project file without secrets', 'project', clean, 0o644, 0o755, true, 'linux', []],
    [
      'project file with secrets',
      'project',
      withSecret,
      0o644,
      0o700,
      true,
      'linux',
      ['chmod 600'],
    ],
    ['skipped on win32', 'user', clean, 0o644, 0o755, true, 'win32', []],
  ])('%s', (_name, scope, config, fileMode, dirMode, checkDir, platform, fixes) => {
    const findings = check(loosePermissions, config, {
      platform,
      candidate: { scope, path: '/c/dir/mcp.json' },
      facts: { fileMode, dirMode, checkDir },
    })
    expect(findings.map((f) => f.fixHint.split(' /')[0])).toEqual(fixes)
    for (const finding of findings)
      expect(finding).toMatchObject({ severity: 'warning', fixable: true })
  })
})
