import { randomBytes } from 'node:crypto'
import { hash } from '@node-rs/argon2'
import { describe, expect, it } from 'vitest'
import {
  PASSWORD_HASH_OPTIONS,
  PasswordPolicyError,
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyDummyPassword,
  verifyPassword,
} from './passwords.js'

const secret = (): string => randomBytes(18).toString('base64url')

describe('password policy', () => {
  it('says what is wrong', () => {
    expect(passwordProblem('short')).toMatch(/too short.*12/)
    expect(passwordProblem('x'.repeat(1025))).toMatch(/too long.*1024/)
    expect(passwordProblem('a'.repeat(20))).toMatch(/one character repeated/)
    expect(passwordProblem('Correct.Horse.Person', 'correct.horse.person')).toMatch(/username/)
    expect(passwordProblem(secret(), 'someone')).toBeUndefined()
    // Characters, not UTF-16 units: 12 emoji are 12 characters.
    expect(passwordProblem('🔑🐴🔋📎🔑🐴🔋📎🔑🐴🔋📎')).toBeUndefined()
  })
})

describe('argon2id hashing', () => {
  it('hashes with the documented parameters and verifies only the right password', async () => {
    const password = secret()
    const stored = await hashPassword(password)
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/)
    expect(stored).not.toContain(password)
    expect(await verifyPassword(stored, password)).toBe(true)
    expect(await verifyPassword(stored, `${password}x`)).toBe(false)
    expect(await verifyPassword('not a hash', password)).toBe(false)
    expect(await verifyPassword(stored, 'x'.repeat(2000))).toBe(false)
    expect(needsRehash(stored)).toBe(false)
    // Same salt never twice.
    expect(await hashPassword(password)).not.toBe(stored)
  })

  it('normalises passwords (NFKC) so the same passphrase matches however it was typed', async () => {
    const base = secret()
    const stored = await hashPassword(`${base}ﬁ`)
    expect(await verifyPassword(stored, `${base}fi`)).toBe(true)
  })

  it('refuses a weak password before hashing', async () => {
    await expect(hashPassword('short')).rejects.toBeInstanceOf(PasswordPolicyError)
  })

  it('asks for a rehash of hashes made with weaker parameters', async () => {
    const weak = await hash(secret(), { ...PASSWORD_HASH_OPTIONS, memoryCost: 19456, timeCost: 2 })
    expect(needsRehash(weak)).toBe(true)
    expect(needsRehash('garbage')).toBe(true)
  })

  it('spends a real verification on unknown users', async () => {
    await verifyDummyPassword(secret())
    const t0 = performance.now()
    expect(await verifyDummyPassword(secret())).toBe(false)
    const dummy = performance.now() - t0
    const stored = await hashPassword(secret())
    const t1 = performance.now()
    await verifyPassword(stored, secret())
    const real = performance.now() - t1
    // Same parameters, same work: within a generous factor (CI machines are noisy).
    expect(dummy).toBeGreaterThan(real / 4)
  })
})
