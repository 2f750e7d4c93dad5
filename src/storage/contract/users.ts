import { randomUUID } from 'node:crypto'
import { LOCAL_USER_ID } from '../../domain/index.js'
import type { ContractContext } from './context.js'
import { rejectionCode } from './context.js'

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

export function userContract({ describe, it, expect, storage }: ContractContext): void {
  describe('users', () => {
    it('has the local user from the first migration', async () => {
      const local = await storage().users.get(LOCAL_USER_ID)
      expect(local).toMatchObject({ id: LOCAL_USER_ID, issuer: 'local', subject: 'local' })
      expect(local?.createdAt).toMatch(ISO_MS)
    })

    it('ensure creates a user on first sight and returns the same one afterwards', async () => {
      const subject = `alice-${randomUUID()}`
      const first = await storage().users.ensure('https://idp.example', subject)
      expect(first).toMatchObject({ issuer: 'https://idp.example', subject })
      expect(first.id).toMatch(/^[0-9a-f-]{36}$/)
      expect(first.createdAt).toMatch(ISO_MS)
      expect(await storage().users.ensure('https://idp.example', subject)).toEqual(first)
      expect(await storage().users.get(first.id)).toEqual(first)
    })

    it('keeps the same subject at different issuers apart', async () => {
      const subject = `bob-${randomUUID()}`
      const a = await storage().users.ensure('https://a.example', subject)
      const b = await storage().users.ensure('https://b.example', subject)
      expect(a.id).not.toBe(b.id)
    })

    it('ensure is race-safe: concurrent first sightings agree on one user', async () => {
      const subject = `carol-${randomUUID()}`
      const users = await Promise.all(
        Array.from({ length: 8 }, () => storage().users.ensure('https://idp.example', subject)),
      )
      expect(new Set(users.map((user) => user.id)).size).toBe(1)
    })

    it('get of an unknown id is undefined', async () => {
      expect(await storage().users.get(randomUUID())).toBeUndefined()
      expect(await storage().users.get('not-a-uuid')).toBeUndefined()
    })

    it('refuses an empty issuer or subject', async () => {
      expect(await rejectionCode(storage().users.ensure('', 'x'))).toBe('invalid_input')
      expect(await rejectionCode(storage().users.ensure('https://idp.example', ''))).toBe(
        'invalid_input',
      )
    })
  })
}
