import { randomBytes } from 'node:crypto'
import { hash, parseOptions, verify } from '@node-rs/argon2'
import type { Algorithm, Options } from '@node-rs/argon2'
import { constantTimeEqual } from '../protocol/secrets.js'

/**
 * argon2id parameters for local account passwords (ADR 0007): 64 MiB, 3 passes, 1 lane — RFC
 * 9106's second recommended setting, above OWASP's 2024 minimums (19 MiB/t=2 or 46 MiB/t=1).
 * Measured at about 55 ms per hash on a 2-vCPU x86-64 CI machine (the minimum, 19 MiB/t=2, took
 * 7 ms there, which is too cheap for an attacker with the database). Hashing runs on libuv's
 * thread pool (4 threads by default), so at most 4 × 64 MiB is in use however many logins
 * arrive at once. Raising these later is safe: `needsRehash` tells the login path to rehash.
 */
export const PASSWORD_HASH_OPTIONS = {
  // `Algorithm.Argon2id`; the package's enum is `const`, which isolatedModules cannot inline.
  algorithm: 2 as Algorithm,
  memoryCost: 65536,
  timeCost: 3,
  parallelism: 1,
  outputLen: 32,
} as const satisfies Options

export const MIN_PASSWORD_CHARS = 12
export const MAX_PASSWORD_CHARS = 1024

/**
 * Passwords are NFKC-normalised before hashing and verifying (NIST SP 800-63B 5.1.1.2), so the
 * same passphrase typed on two keyboards or input methods is the same password.
 */
const prepare = (password: string): string => password.normalize('NFKC')

const length = (text: string): number => [...text].length

/**
 * What is wrong with a new password, as a sentence for the person choosing it, or undefined
 * when it is acceptable: 12–1024 characters, not one character repeated, not the username.
 */
export function passwordProblem(password: string, username?: string): string | undefined {
  if (typeof password !== 'string') return 'The password must be text.'
  const prepared = prepare(password)
  const chars = length(prepared)
  if (chars < MIN_PASSWORD_CHARS) {
    return `The password is too short: use at least ${MIN_PASSWORD_CHARS} characters (a few words make a good one).`
  }
  if (chars > MAX_PASSWORD_CHARS) {
    return `The password is too long: use at most ${MAX_PASSWORD_CHARS} characters.`
  }
  if (new Set(prepared).size === 1) {
    return 'The password is one character repeated: choose something less predictable.'
  }
  if (
    username !== undefined &&
    constantTimeEqual(
      prepared.trim().toLowerCase(),
      username.normalize('NFKC').trim().toLowerCase(),
    )
  ) {
    return 'The password cannot be the username.'
  }
  return undefined
}

/** Thrown by `hashPassword` for a password that breaks the policy; the message says why. */
export class PasswordPolicyError extends Error {
  override readonly name = 'PasswordPolicyError'
}

/**
 * The argon2id PHC string of a new password (random 16-byte salt). Checks the policy first
 * (`PasswordPolicyError`), so nothing weak is ever stored.
 */
export async function hashPassword(password: string, username?: string): Promise<string> {
  const problem = passwordProblem(password, username)
  if (problem !== undefined) throw new PasswordPolicyError(problem)
  return hash(prepare(password), PASSWORD_HASH_OPTIONS)
}

/**
 * Whether the password matches the stored hash; the comparison is constant-time (the library's).
 * A malformed hash or an over-long password is `false`, never an error.
 */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (typeof password !== 'string' || length(password) > MAX_PASSWORD_CHARS) return false
  try {
    return await verify(storedHash, prepare(password))
  } catch {
    return false
  }
}

let dummyHash: Promise<string> | undefined

/**
 * Spends the time of one `verifyPassword` against a hash of a random password nobody knows,
 * so a login for an unknown username takes as long as one with a wrong password and timing
 * does not reveal which usernames exist. Always resolves `false`.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hash(randomBytes(32).toString('base64url'), PASSWORD_HASH_OPTIONS)
  await verifyPassword(await dummyHash, typeof password === 'string' ? password : '')
  return false
}

/** Whether a stored hash was made with other parameters than today's (rehash at next login). */
export function needsRehash(storedHash: string): boolean {
  try {
    const parsed = parseOptions(storedHash)
    return (
      parsed.algorithm !== PASSWORD_HASH_OPTIONS.algorithm ||
      parsed.memoryCost !== PASSWORD_HASH_OPTIONS.memoryCost ||
      parsed.timeCost !== PASSWORD_HASH_OPTIONS.timeCost ||
      parsed.parallelism !== PASSWORD_HASH_OPTIONS.parallelism ||
      parsed.outputLen !== PASSWORD_HASH_OPTIONS.outputLen
    )
  } catch {
    return true
  }
}
