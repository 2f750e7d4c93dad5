import type { Rule } from '../types.js'
import { broadOauthScope } from './broad-oauth-scope.js'
import { configInGit } from './config-in-git.js'
import { downloadAndExecute } from './download-and-execute.js'
import { hardcodedCredential } from './hardcoded-credential.js'
import { loosePermissions } from './loose-permissions.js'
import { plainHttp } from './plain-http.js'
import { tlsVerificationDisabled } from './tls-verification-disabled.js'
import { undefinedEnvReference } from './undefined-env-reference.js'
import { unpinnedPackageRunner } from './unpinned-package-runner.js'
import { unreadableConfig } from './unreadable-config.js'

/** Every rule the auditor runs, in report order. */
export const RULES: readonly Rule[] = Object.freeze([
  hardcodedCredential,
  plainHttp,
  tlsVerificationDisabled,
  loosePermissions,
  configInGit,
  unpinnedPackageRunner,
  downloadAndExecute,
  undefinedEnvReference,
  broadOauthScope,
  unreadableConfig,
])

export function ruleById(id: string): Rule | undefined {
  return RULES.find((rule) => rule.id === id)
}
