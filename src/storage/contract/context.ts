import type { ExpectStatic, SuiteAPI, TestAPI } from 'vitest'
import { isDomainError } from '../../domain/index.js'
import type { DomainErrorCode, Memory, Task } from '../../domain/index.js'
import type { Storage } from '../ports.js'

/**
 * What every part of the contract suite gets from `storageContract` (contract.ts): the vitest
 * API (passed in, so only contract.ts imports the test runner), the shared storage and helpers.
 */
export interface ContractContext {
  describe: SuiteAPI
  it: TestAPI
  expect: ExpectStatic
  /** The storage opened for the whole suite. */
  storage(): Storage
  /** Opens another handle on the same backend (same database for persistent backends). */
  open(): Promise<Storage>
  /** A fresh user of the shared storage, so tests never see each other's rows. */
  newUser(label: string): Promise<string>
  options: ContractOptions
}

export interface ContractOptions {
  /** Data survives close() and a new open() (files, servers; not `:memory:`). */
  persistent?: boolean
  /**
   * Every row of `oauth_artifacts` as the database holds it, read beside the storage (not
   * through it), to prove that secret ids are stored only as hashes. Skipped when absent.
   */
  rawArtifactRows?: () => Promise<unknown[]>
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms)
  })

/** Resolves with the DomainError code the promise rejected with (fails when it resolves). */
export async function rejectionCode(promise: Promise<unknown>): Promise<DomainErrorCode> {
  try {
    await promise
  } catch (error) {
    if (isDomainError(error)) return error.code
    throw error
  }
  throw new Error('expected a DomainError, but the call succeeded')
}

/** The memory list order: updatedAt desc, then id desc. */
export function byMemoryOrder(a: Memory, b: Memory): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1
  return a.id < b.id ? 1 : -1
}

/** The task list order: dueAt asc (none last), then createdAt desc, then id desc. */
export function byTaskOrder(a: Task, b: Task): number {
  if (a.dueAt !== b.dueAt) {
    if (a.dueAt === null) return 1
    if (b.dueAt === null) return -1
    return a.dueAt < b.dueAt ? -1 : 1
  }
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1
  return a.id < b.id ? 1 : -1
}

/** Follows next cursors until the end; fails on a runaway loop. */
export async function collectPages<T>(
  fetch: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[][]> {
  const pages: T[][] = []
  let cursor: string | undefined
  for (let guard = 0; guard < 1000; guard++) {
    const page = await fetch(cursor)
    pages.push(page.items)
    if (page.nextCursor === null) return pages
    cursor = page.nextCursor
  }
  throw new Error('pagination did not end after 1000 pages')
}
