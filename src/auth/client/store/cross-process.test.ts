/**
 * Cross-process behaviour with REAL child processes (`node` running small .mjs scripts that
 * import the store transpiled by child-process-test-support.ts): single-flight refresh across
 * processes, a SIGKILLed lock holder, and rotation under concurrent writers and readers.
 */
import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomToken, tokenFingerprint } from '../../protocol/index.js'
import { compileStore, runNode, type CompiledStore } from './child-process-test-support.js'
import { freshCredentials, ISSUER_A, RESOURCE_1 } from './contract-test-support.js'
import { createFileBackend } from './file-store.js'
import { openTokenStore } from './open.js'

let compiled: CompiledStore
let dir: string
const a1 = { issuer: ISSUER_A, resource: RESOURCE_1 }
const script = (name: string) => join(compiled.root, name)

const PRELUDE = `
import { once } from 'node:events'
import { appendFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
const [storeUrl, protocolUrl, dir, issuer, resource, extra] = process.argv.slice(2)
const { openTokenStore } = await import(storeUrl)
const { randomToken, tokenFingerprint } = await import(protocolUrl)
const store = await openTokenStore({ dir, preferKeychain: false, lock: { timeoutMs: 20000, pollMs: 10 } })
const key = { issuer, resource }
const fresh = (suffix = randomToken()) => ({
  access_token: 'at-' + suffix, refresh_token: 'rt-' + suffix,
  expires_at: Math.floor(Date.now() / 1000) + 3600, scope: 'memories:read', token_type: 'Bearer',
})
const go = async () => {
  process.stdout.write('ready\\n')
  const lines = createInterface({ input: process.stdin })
  await once(lines, 'line')
  lines.close()
}
`

const SCRIPTS: Record<string, string> = {
  'refresher.mjs': `${PRELUDE}
await go()
const result = await store.withRefreshLock(key, async (current) => {
  appendFileSync(extra, 'enter ' + process.pid + '\\n')
  try {
    if (current && current.expires_at > Date.now() / 1000 + 60) return 'reused'
    await sleep(200)
    const stored = await store.rotate(key, fresh())
    return 'refreshed ' + tokenFingerprint(stored.refresh_token)
  } finally {
    appendFileSync(extra, 'exit ' + process.pid + '\\n')
  }
})
process.stdout.write(result + '\\n')
`,
  'holder.mjs': `${PRELUDE}
await store.withRefreshLock(key, async () => {
  process.stdout.write('locked\\n')
  await sleep(60_000)
})
`,
  // extra = "<put|rotate>:<count>": raw puts race freely; rotations go through the lock.
  'writer.mjs': `${PRELUDE}
await go()
const [mode, count] = extra.split(':')
for (let i = 0; i < Number(count); i++) {
  if (mode === 'put') await store.put(key, fresh())
  else await store.withRefreshLock(key, () => store.rotate(key, fresh()))
}
process.stdout.write('done\\n')
`,
}

beforeAll(async () => {
  compiled = await compileStore()
  for (const [name, text] of Object.entries(SCRIPTS)) await writeFile(script(name), text)
  dir = join(await mkdtemp(join(tmpdir(), 'mcp-pa-cross-')), 'credentials')
}, 60_000)
afterAll(async () => {
  await compiled?.cleanup()
  if (dir) await rm(join(dir, '..'), { recursive: true, force: true })
})

function spawnScript(name: string, extra: string) {
  return runNode(script(name), [
    compiled.storeUrl,
    compiled.protocolUrl,
    dir,
    a1.issuer,
    a1.resource,
    extra,
  ])
}

describe('refresh across processes (issue 5 item 5: single flight, lock file)', () => {
  it('of 6 processes that find an expired token at once, exactly one refreshes', async () => {
    const store = await openTokenStore({ dir, preferKeychain: false })
    const expired = freshCredentials({ expires_at: Math.floor(Date.now() / 1000) - 10 })
    await store.put(a1, expired)
    const log = join(dir, '..', 'refresh.log')
    const children = Array.from({ length: 6 }, () => spawnScript('refresher.mjs', log))
    await Promise.all(children.map((c) => c.waitFor('ready')))
    for (const child of children) child.process.stdin.write('go\n')
    const results = await Promise.all(children.map((c) => c.done))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const outputs = results.map((r) => r.stdout.split('\n').at(-2) ?? '')
    const refreshed = outputs.filter((o) => o.startsWith('refreshed '))
    expect(refreshed).toHaveLength(1)
    expect(outputs.filter((o) => o === 'reused')).toHaveLength(5)
    // The critical sections never overlapped: enter/exit strictly alternate, same PID.
    const lines = (await readFile(log, 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(12)
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toMatch(/^enter \d+$/)
      expect(lines[i + 1]).toBe(lines[i]!.replace('enter', 'exit'))
    }
    // What the refresher persisted is what every process now reads.
    const now = await store.get(a1)
    expect(refreshed[0]).toBe(`refreshed ${tokenFingerprint(now?.refresh_token ?? '')}`)
    expect(now?.refresh_token).not.toBe(expired.refresh_token)
  })

  it('a lock left by a SIGKILLed holder is broken at once by the next process', async () => {
    const holder = spawnScript('holder.mjs', '')
    await holder.waitFor('locked')
    holder.process.kill('SIGKILL')
    expect((await holder.done).signal).toBe('SIGKILL')
    const store = await openTokenStore({ dir, preferKeychain: false, lock: { timeoutMs: 5000 } })
    const started = Date.now()
    expect(await store.withRefreshLock(a1, async () => 'ran')).toBe('ran')
    expect(Date.now() - started).toBeLessThan(2000)
  })
})

/** Reads while `writers` run; every read must decrypt, parse and hold a matching pair. */
async function readWhile(writers: ReturnType<typeof spawnScript>[], onRead?: (n: number) => void) {
  const reader = createFileBackend({ dir })
  let reads = 0
  let writersDone = false
  const finished = Promise.all(writers.map((w) => w.done))
  void finished.then(() => (writersDone = true))
  while (!writersDone) {
    const back = await reader.get(a1) // throws on a torn or unauthentic file
    // Each write stores a matching pair; a torn mix of two writes would break it.
    expect(back?.refresh_token).toBe(`rt-${back?.access_token.slice(3)}`)
    reads++
    onRead?.(reads)
  }
  for (const r of await finished) expect(r.code, r.stderr).toBe(0)
  return reads
}

async function start(extras: string[]) {
  const children = extras.map((extra) => spawnScript('writer.mjs', extra))
  await Promise.all(children.map((c) => c.waitFor('ready')))
  for (const child of children) child.process.stdin.write('go\n')
  return children
}

describe('rotation and writes under concurrency (crash safety)', () => {
  it('readers always see a whole, authentic record while writers race and one is SIGKILLed', async () => {
    const suffix = randomToken()
    const pair = freshCredentials({ access_token: `at-${suffix}`, refresh_token: `rt-${suffix}` })
    await createFileBackend({ dir }).put(a1, pair)
    const [victim, ...writers] = await start(['put:100000', 'put:150', 'put:150', 'put:150'])
    let reads = 0
    try {
      reads = await readWhile(writers, (n) => {
        if (n === 20) victim!.process.kill('SIGKILL')
      })
    } finally {
      victim!.process.kill('SIGKILL')
    }
    expect((await victim!.done).signal).toBe('SIGKILL')
    expect(reads).toBeGreaterThan(20)
    const reader = createFileBackend({ dir })
    const last = await reader.get(a1)
    expect(last?.refresh_token).toBe(`rt-${last?.access_token.slice(3)}`)
    expect((await reader.list()).map((s) => s.resource)).toEqual([RESOURCE_1])
  })

  it('rotations from 3 processes under the lock all read back what they persisted', async () => {
    const writers = await start(['rotate:40', 'rotate:40', 'rotate:40'])
    expect(await readWhile(writers)).toBeGreaterThan(0)
  })
})
