import { chmod, copyFile, open, readFile, rm, writeFile } from 'node:fs/promises'
import { parseTree, type ParseError } from 'jsonc-parser'
import { parseDotenv } from '../load.js'
import { maskSecret } from '../mask.js'
import { unifiedDiff } from './diff.js'
import { appendDotenv } from './dotenv.js'
import type { SecretVault } from './keychain.js'
import { gitignoreText, type FilePlan } from './plan.js'

/** A fix that could not be completed; the message never contains a secret. */
export class FixError extends Error {
  override readonly name = 'FixError'
}

/** What `--dry-run` shows: unified diffs (secrets masked) and the permission changes. */
export function previewPlan(plan: FilePlan): string {
  const hide = (text: string) =>
    maskAll(
      text,
      plan.moved.map(({ value }) => value),
    )
  const parts = [unifiedDiff(hide(plan.original), hide(plan.updated), plan.configPath)]
  if (plan.additions.length > 0 && plan.secretsTo === 'keychain') {
    for (const { name, value } of plan.additions) {
      parts.push(`keychain: store ${name} = ${maskSecret(value)} (service mcp-pa)\n`)
    }
  } else if (plan.additions.length > 0) {
    const before = plan.dotenvOriginal ?? ''
    const masked = (text: string) => text.replace(/=.*$/gm, '=<existing value>')
    parts.push(
      unifiedDiff(
        masked(before),
        appendDotenv(masked(before), plan.additions, maskSecret),
        plan.dotenvOriginal === undefined ? '/dev/null' : plan.dotenvPath,
        plan.dotenvPath,
      ),
    )
  }
  for (const ignore of plan.gitignore) {
    parts.push(
      unifiedDiff(
        ignore.original ?? '',
        gitignoreText(ignore),
        ignore.original === undefined ? '/dev/null' : ignore.path,
        ignore.path,
      ),
    )
  }
  for (const { target, mode } of plan.chmods) parts.push(`chmod ${mode.toString(8)} ${target}\n`)
  return parts.filter(Boolean).join('')
}

/** Replaces every secret (raw and JSON-escaped) by its masked form. */
export function maskAll(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    for (const form of [JSON.stringify(secret).slice(1, -1), secret]) {
      if (form !== '') out = out.split(form).join(maskSecret(secret))
    }
  }
  return out
}

function timestamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

async function writeSynced(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'w', mode)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Applies one plan: backup, then the .env (fsync), then the config; verifies the config parses
 * and that every moved value is in the .env; restores everything on any error.
 */
export async function applyPlan(
  plan: FilePlan,
  options: { now?: Date; vault?: SecretVault } = {},
): Promise<{ backup?: string }> {
  const now = options.now ?? new Date()
  const vault = plan.secretsTo === 'keychain' ? options.vault : undefined
  if (plan.secretsTo === 'keychain' && !vault) throw new FixError('no keychain was opened')
  const configChanges = plan.updated !== plan.original
  const backup = configChanges ? `${plan.configPath}.bak-${timestamp(now)}` : undefined
  if (backup) {
    await copyFile(plan.configPath, backup)
    await chmod(backup, 0o600)
  }
  try {
    if (vault) await vault.put(plan.additions)
    else if (plan.additions.length > 0) {
      await writeSynced(
        plan.dotenvPath,
        appendDotenv(plan.dotenvOriginal ?? '', plan.additions),
        0o600,
      )
      await chmod(plan.dotenvPath, 0o600)
    }
    if (configChanges) {
      await writeSynced(plan.configPath, plan.updated, 0o600)
      await verify(plan, vault !== undefined)
    }
    for (const ignore of plan.gitignore) await writeFile(ignore.path, gitignoreText(ignore), 'utf8')
    for (const { target, mode } of plan.chmods) await chmod(target, mode)
    return backup ? { backup } : {}
  } catch (error) {
    await restore(plan, backup)
    if (vault) await vault.remove(plan.additions.map(({ name }) => name))
    const reason =
      error instanceof FixError
        ? error.message
        : `${(error as NodeJS.ErrnoException).code ?? 'error'}`
    throw new FixError(`could not fix ${plan.configPath} (${reason}); nothing was changed`)
  }
}

async function verify(plan: FilePlan, inKeychain: boolean): Promise<void> {
  const errors: ParseError[] = []
  parseTree(await readFile(plan.configPath, 'utf8'), errors, { allowTrailingComma: true })
  if (errors.length > 0) throw new FixError('the edited config did not parse')
  if (plan.moved.length === 0 || inKeychain) return
  const stored = parseDotenv(await readFile(plan.dotenvPath, 'utf8'))
  for (const { name, value } of plan.moved) {
    const found = stored.get(name)
    if (found === undefined || !Buffer.from(found).equals(Buffer.from(value))) {
      throw new FixError(`the value for ${name} was not found in ${plan.dotenvPath}`)
    }
  }
}

async function restore(plan: FilePlan, backup: string | undefined): Promise<void> {
  if (backup) {
    await copyFile(backup, plan.configPath)
      .then(() => rm(backup, { force: true }))
      .catch(() => undefined)
  }
  if (plan.additions.length > 0 && plan.secretsTo === 'env') {
    if (plan.dotenvOriginal === undefined) await rm(plan.dotenvPath, { force: true })
    else await writeFile(plan.dotenvPath, plan.dotenvOriginal, 'utf8').catch(() => undefined)
  }
  for (const ignore of plan.gitignore) {
    if (ignore.original === undefined) await rm(ignore.path, { force: true })
    else await writeFile(ignore.path, ignore.original, 'utf8').catch(() => undefined)
  }
}
