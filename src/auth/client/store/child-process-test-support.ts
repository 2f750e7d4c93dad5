import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'

/**
 * Real child processes for the cross-process tests. Node 20 cannot run TypeScript, and `dist/`
 * may be stale when a single test file runs, so the store and `auth/protocol` are transpiled
 * here (TypeScript's own `transpileModule`, no type check) into a temporary tree mirroring
 * `src/`; child scripts import `<tree>/auth/client/store/index.js` like any ES module.
 */

const SRC = resolve(import.meta.dirname, '../../..')
const DIRS = ['auth/client/store', 'auth/protocol']

export interface CompiledStore {
  root: string
  /** file: URL of the transpiled `auth/client/store/index.js`. */
  storeUrl: string
  /** file: URL of the transpiled `auth/protocol/index.js`. */
  protocolUrl: string
  cleanup(): Promise<void>
}

export async function compileStore(): Promise<CompiledStore> {
  const root = await mkdtemp(join(tmpdir(), 'mcp-pa-store-child-'))
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n')
  for (const dir of DIRS) {
    const names = (await readdir(join(SRC, dir))).filter(
      (n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && !n.endsWith('test-support.ts'),
    )
    for (const name of names) {
      const source = await readFile(join(SRC, dir, name), 'utf8')
      const out = ts.transpileModule(source, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
        fileName: name,
      })
      const target = join(root, dir, name.replace(/\.ts$/, '.js'))
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, out.outputText)
    }
  }
  return {
    root,
    storeUrl: pathToFileURL(join(root, 'auth/client/store/index.js')).href,
    protocolUrl: pathToFileURL(join(root, 'auth/protocol/index.js')).href,
    cleanup: () => rm(root, { recursive: true, force: true }),
  }
}

export interface Child {
  process: ChildProcessWithoutNullStreams
  /** Resolves when the child printed `line` on stdout. */
  waitFor(line: string): Promise<void>
  /** Resolves with the exit code (or signal) and everything printed. */
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>
}

/** Runs `node <script> ...args`. */
export function runNode(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [script, ...args], { stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  const waiters: { line: string; resolve: () => void }[] = []
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    for (const w of waiters.filter((w) => stdout.split('\n').includes(w.line))) w.resolve()
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const done = new Promise<{
    code: number | null
    signal: string | null
    stdout: string
    stderr: string
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })))
  return {
    process: child,
    done,
    waitFor: (line) =>
      stdout.split('\n').includes(line)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ line, resolve })
            void done.then(({ stderr: err }) =>
              reject(new Error(`child exited before printing ${line}: ${err}`)),
            )
          }),
  }
}

/** A PID that belonged to a process that has exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  const pid = child.pid
  await new Promise((resolve) => child.on('close', resolve))
  if (pid === undefined) throw new Error('could not spawn node')
  return pid
}
