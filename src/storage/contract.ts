import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Storage } from './ports.js'
import { accountContract } from './contract/accounts.js'
import { artifactContract } from './contract/artifacts.js'
import type { ContractContext, ContractOptions } from './contract/context.js'
import { signingKeyContract } from './contract/signing-keys.js'
import { isolationContract } from './contract/isolation.js'
import { lifecycleContract } from './contract/lifecycle.js'
import { memoryListContract } from './contract/memory-list.js'
import { memoryContract } from './contract/memories.js'
import { searchContract } from './contract/search.js'
import { semanticContract } from './contract/semantic.js'
import { taskListContract } from './contract/task-list.js'
import { taskContract } from './contract/tasks.js'
import { userContract } from './contract/users.js'

export type { ContractOptions } from './contract/context.js'

/**
 * The behaviour every storage adapter must have (DESIGN §6.8). Run it from each adapter's test
 * file with a function that opens a fresh handle on that adapter's database:
 *
 *   storageContract('sqlite file', () => openSqliteStorage({ path }), { persistent: true })
 *
 * Each test works as its own new user, so tests share one storage without seeing each other.
 */
export function storageContract(
  name: string,
  open: () => Promise<Storage>,
  options: ContractOptions = {},
): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage | undefined
    beforeAll(async () => {
      storage = await open()
    })
    afterAll(async () => {
      await storage?.close()
    })

    const context: ContractContext = {
      describe,
      it,
      expect,
      open,
      options,
      storage() {
        if (storage === undefined) throw new Error('the storage under test did not open')
        return storage
      },
      async newUser(label) {
        const user = await context
          .storage()
          .users.ensure('https://contract.test', `${label}-${randomUUID()}`)
        return user.id
      },
    }

    userContract(context)
    memoryContract(context)
    memoryListContract(context)
    searchContract(context)
    semanticContract(context)
    taskContract(context)
    taskListContract(context)
    isolationContract(context)
    artifactContract(context)
    signingKeyContract(context)
    accountContract(context)
    lifecycleContract(context)
  })
}
