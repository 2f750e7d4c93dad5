import { findingAt } from '../finding.js'
import type { Rule } from '../types.js'
import { holdsSecrets } from './loose-permissions.js'

export const configInGit: Rule = {
  id: 'config-in-git',
  severity: 'error',
  title: 'Config file tracked by git or not ignored',
  description:
    'The config lives in a git work tree and is tracked, or is not covered by .gitignore. With ' +
    'hardcoded credentials this is an error: one commit and push publishes them for good. ' +
    'Without credentials it is a note (sharing a project .mcp.json is normal). When git is not ' +
    'installed the check is skipped with a note.',
  fixHint:
    'Move credentials out of the file first. Then either keep the file shared (no secrets in it) ' +
    'or add it to .gitignore; if it is already tracked, run `git rm --cached <file>` and rotate ' +
    'the credentials, since they are in the history.',
  check(ctx) {
    const { git } = ctx.file.facts
    if (git === undefined) return []
    if (!git.available) {
      return [
        findingAt(
          this,
          ctx,
          undefined,
          [],
          'git is not installed, so whether this file is committed was not checked.',
          {
            severity: 'note',
            fixHint: 'Install git, or check by hand that the file is ignored.',
          },
        ),
      ]
    }
    if (git.ignored && !git.tracked) return []
    const secrets = holdsSecrets(ctx.file, ctx)
    const state = git.tracked ? 'is tracked by git' : 'is not ignored by git'
    if (!secrets) {
      return [
        findingAt(
          this,
          ctx,
          undefined,
          [],
          `The file ${state}; it holds no hardcoded credentials, so sharing it is fine as long as it stays that way.`,
          {
            severity: 'note',
          },
        ),
      ]
    }
    const message = git.tracked
      ? 'The file holds hardcoded credentials and is tracked by git: they are (or will be) in the repository history.'
      : 'The file holds hardcoded credentials and is not ignored by git: one `git add .` publishes them.'
    return [
      findingAt(this, ctx, undefined, [], message, {
        fix: git.tracked ? undefined : { kind: 'gitignore', target: ctx.file.candidate.path },
      }),
    ]
  },
}
