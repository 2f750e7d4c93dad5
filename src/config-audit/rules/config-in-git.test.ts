import { describe, expect, it } from 'vitest'
import { check, fake, server } from '../test-support.js'
import type { FileFacts } from '../types.js'
import { configInGit } from './config-in-git.js'

const clean = server({ command: 'node', args: ['x.js'] })
const withSecret = server({ env: { GITHUB_TOKEN: fake.github() } })
const repo = (tracked: boolean, ignored: boolean): FileFacts['git'] => ({
  available: true,
  tracked,
  ignored,
  root: '/p',
})

describe('config-in-git', () => {
  it.each<[string, unknown, FileFacts['git'], string | undefined, boolean]>([
    ['secrets, not ignored → error, fixable', withSecret, repo(false, false), 'error', true],
    ['secrets, tracked → error, not fixable', withSecret, repo(true, false), 'error', false],
    ['secrets, ignored → nothing', withSecret, repo(false, true), undefined, false],
    ['no secrets, not ignored → note', clean, repo(false, false), 'note', false],
    ['no secrets, tracked → note', clean, repo(true, false), 'note', false],
    ['outside a work tree → nothing', withSecret, undefined, undefined, false],
    ['git not installed → note', withSecret, { available: false }, 'note', false],
  ])('%s', (_name, config, git, severity, fixable) => {
    const findings = check(configInGit, config, { facts: { git } })
    if (severity === undefined) return expect(findings).toEqual([])
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({ severity, fixable })
  })
})
