// npm run bench:local — local-mode figures, printed (not asserted):
//   1. cold start: `mcp-pa serve` spawned to the first tools/list answer (median of 15 runs)
//   2. memory_save and memory_search latency, p50/p99, with 10k and 100k memories on SQLite,
//      through the tool layer (runTool: schema, domain checks, storage) on a real database file.
// Targets (issue "Foundation"): cold start < 400 ms; search p99 < 20 ms at 100k.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, cpus } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'dist/cli/main.js')
const { openSqliteStorage } = await import(join(root, 'dist/storage/sqlite/index.js'))
const { runTool, findTool } = await import(join(root, 'dist/tools/index.js'))
const { LOCAL_USER_ID } = await import(join(root, 'dist/domain/index.js'))

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1000)
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15)

// Deterministic text: a Zipf-distributed vocabulary from a seeded xorshift generator.
let seed = 0x9e3779b9
function rand() {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 0x100000000
}
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'to',
  'sa',
  'vi',
  'del',
  'nor',
  'pe',
  'qua',
  'zu',
  'bri',
  'fen',
  'gor',
  'hal',
]
const VOCAB = Array.from({ length: 5000 }, (_, i) => {
  let word = ''
  let n = i + 1
  while (n > 0) {
    word += SYLLABLES[n % SYLLABLES.length]
    n = Math.floor(n / SYLLABLES.length)
  }
  return word
})
const ZIPF = (() => {
  const weights = VOCAB.map((_, i) => 1 / (i + 1))
  const total = weights.reduce((a, b) => a + b, 0)
  let acc = 0
  return weights.map((w) => (acc += w / total))
})()
function word() {
  const r = rand()
  let lo = 0
  let hi = ZIPF.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (ZIPF[mid] < r) lo = mid + 1
    else hi = mid
  }
  return VOCAB[lo]
}
const sentence = (n) => Array.from({ length: n }, word).join(' ')

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
const ms = (v) => `${v.toFixed(2)} ms`

async function coldStart(home) {
  const started = performance.now()
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env.PATH, HOME: home, MCP_LOG_LEVEL: 'error' },
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  const messages = [
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  ]
  child.stdin.write(messages.map((m) => JSON.stringify(m)).join('\n') + '\n')
  const elapsed = await new Promise((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      for (const line of buffer.split('\n').slice(0, -1)) {
        if (JSON.parse(line).id === 2) resolve(performance.now() - started)
      }
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before answering`)))
  })
  child.stdin.end()
  await new Promise((resolve) => child.on('exit', resolve))
  return elapsed
}

function context(storage) {
  return {
    userId: LOCAL_USER_ID,
    scopes: 'all',
    memories: storage.memories,
    tasks: storage.tasks,
    audit: { emit() {} },
    clock: () => new Date(),
  }
}

async function timed(fn) {
  const started = performance.now()
  const result = await fn()
  if (result.isError) throw new Error(result.content[0].text)
  return performance.now() - started
}

async function latency(size, home) {
  const file = join(home, `bench-${size}.sqlite`)
  let storage = await openSqliteStorage({ path: file })
  let ctx = context(storage)
  const save = findTool('memory_save')
  const search = findTool('memory_search')
  const fillStarted = performance.now()
  for (let i = 0; i < size; i++) {
    await storage.memories.create(LOCAL_USER_ID, {
      content: sentence(8 + (i % 40)),
      tags: i % 10 === 0 ? ['tagged'] : [],
      importance: 3,
    })
    if ((i + 1) % 20000 === 0) process.stderr.write(`  filled ${i + 1}/${size} memories…\n`)
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000
  // Reopen, as after a restart: a database that grew over weeks has been opened (and its
  // planner statistics refreshed) many times since; a bulk fill in the same process has not.
  await storage.close()
  storage = await openSqliteStorage({ path: file })
  ctx = context(storage)
  for (let i = 0; i < 50; i++) await timed(() => runTool(search, ctx, { query: sentence(2) })) // warm-up
  const saves = []
  const searches = []
  for (let i = 0; i < SAMPLES; i++) {
    saves.push(await timed(() => runTool(save, ctx, { content: sentence(20), tags: ['bench'] })))
    searches.push(await timed(() => runTool(search, ctx, { query: sentence(1 + (i % 3)) })))
  }
  await storage.close()
  saves.sort((a, b) => a - b)
  searches.sort((a, b) => a - b)
  return { size, fillSeconds, saves, searches }
}

const home = await mkdtemp(join(tmpdir(), 'mcp-pa-bench-'))
try {
  console.log(
    `mcp-pa bench:local — node ${process.version}, ${cpus().length} cores, ${SAMPLES} samples per figure`,
  )
  const first = await coldStart(home) // creates the database and applies migrations
  const cold = []
  for (let i = 0; i < COLD_RUNS; i++) cold.push(await coldStart(home))
  cold.sort((a, b) => a - b)
  const coldMedian = percentile(cold, 50)
  console.log(`\ncold start to first tools/list answer (${COLD_RUNS} runs, existing database)`)
  console.log(
    `  median ${ms(coldMedian)}  min ${ms(cold[0])}  max ${ms(cold.at(-1))}  first run (new database) ${ms(first)}`,
  )
  console.log(`  target < 400 ms: ${coldMedian < 400 ? 'met' : 'MISSED'}`)

  console.log('\nmemory_save / memory_search through the tool layer on SQLite (WAL, file on disk)')
  console.log('  memories   fill     save p50   save p99   search p50  search p99')
  let search100k
  for (const size of SIZES) {
    const r = await latency(size, home)
    if (size === 100000) search100k = percentile(r.searches, 99)
    console.log(
      `  ${String(size).padStart(8)}  ${r.fillSeconds.toFixed(1).padStart(5)} s  ${ms(percentile(r.saves, 50)).padStart(9)}  ${ms(percentile(r.saves, 99)).padStart(9)}  ${ms(percentile(r.searches, 50)).padStart(10)}  ${ms(percentile(r.searches, 99)).padStart(10)}`,
    )
  }
  if (search100k !== undefined)
    console.log(
      `  target search p99 < 20 ms at 100k: ${search100k < 20 ? 'met' : 'MISSED'} (${ms(search100k)})`,
    )
} finally {
  await rm(home, { recursive: true, force: true })
}
