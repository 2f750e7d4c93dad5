import type { AuditResult } from '../run.js'
import { applyPlan, previewPlan } from './apply.js'
import type { SecretVault } from './keychain.js'
import { fixableFiles, planFile, type SecretsTo } from './plan.js'

export interface FixOptions {
  secretsTo: SecretsTo
  dryRun: boolean
  vault?: SecretVault
  now?: Date
}

/** What one file's fix did (or would do, in a dry run); names only, never values. */
export interface FixOutcome {
  configPath: string
  preview: string
  backup?: string
  movedNames: string[]
  secretsFile?: string
  chmods: string[]
  gitignore: string[]
}

/** Plans and (unless dry-run) applies the fixes file by file, so shared .env files stay exact. */
export async function fixFindings(result: AuditResult, options: FixOptions): Promise<FixOutcome[]> {
  const outcomes: FixOutcome[] = []
  for (const { file, findings } of fixableFiles(result)) {
    const plan = await planFile(file, findings, options.secretsTo)
    const outcome: FixOutcome = {
      configPath: plan.configPath,
      preview: previewPlan(plan),
      movedNames: plan.moved.map(({ name }) => name),
      chmods: plan.chmods.map(({ target, mode }) => `${mode.toString(8)} ${target}`),
      gitignore: plan.gitignore.flatMap(({ path, entries }) =>
        entries.map((e) => `${e} in ${path}`),
      ),
    }
    if (plan.moved.length > 0 && options.secretsTo === 'env') outcome.secretsFile = plan.dotenvPath
    if (!options.dryRun) {
      const { backup } = await applyPlan(plan, { vault: options.vault, now: options.now })
      if (backup) outcome.backup = backup
    }
    outcomes.push(outcome)
  }
  return outcomes
}
