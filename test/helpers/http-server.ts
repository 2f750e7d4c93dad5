import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { CLI } from './spawn-client.js'

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface SpawnedHttpServer {
  /** `http://127.0.0.1:PORT` */
  origin: string
  /** The MCP endpoint, as the banner prints it (under `server.public_url` when set). */
  url: string
  /** The listener's own origin (`http(s)://127.0.0.1:PORT`), even behind a `public_url`. */
  listening: string
  pid: number
  stderr(): string
  /** SIGTERM by PID; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/**
 * Spawns the built `mcp-pa serve --http` on 127.0.0.1 with the given HOME and environment and
 * waits until it prints its endpoint. Every byte of its stderr goes to `onLog`.
 */
export async function spawnHttpServer(options: {
  home: string
  env?: Record<string, string>
  args?: string[]
  onLog?: (text: string) => void
}): Promise<SpawnedHttpServer> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--http',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      ...(options.args ?? []),
    ],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: options.home,
        MCP_LOG_LEVEL: 'info',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let stderr = ''
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 20_000)
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      stderr += text
      options.onLog?.(text)
      if (/ {2}endpoint: +\S+\n/.test(stderr)) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before starting:\n${stderr}`))
    })
  })
  const url = / {2}endpoint: +(\S+)/.exec(stderr)?.[1] ?? `http://127.0.0.1:${port}/mcp`
  const listening = / {2}listening: +(\S+)/.exec(stderr)?.[1] ?? `http://127.0.0.1:${port}`
  return {
    origin: new URL(url).origin,
    url,
    listening: new URL(listening).origin,
    pid: child.pid ?? 0,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode
      process.kill(child.pid ?? 0, signal)
      return exited
    },
  }
}

/**
 * Runs the built `mcp-pa serve` with exactly `args` until it exits (for refusals at start):
 * resolves with its exit code and stderr. One that is still running after `timeoutMs` is
 * stopped by its PID and the promise rejects.
 */
export async function runServeToExit(options: {
  home: string
  args: string[]
  env?: Record<string, string>
  onLog?: (text: string) => void
  timeoutMs?: number
}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...options.args], {
    env: { PATH: process.env.PATH ?? '', HOME: options.home, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8')
    stderr += text
    options.onLog?.(text)
  })
  const timer = setTimeout(
    () => process.kill(child.pid ?? 0, 'SIGKILL'),
    options.timeoutMs ?? 20_000,
  )
  // 'close', not 'exit': every byte of stderr has been read by then.
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  if (signal !== null)
    throw new Error(`mcp-pa serve did not exit by itself (${signal}):\n${stderr}`)
  return { code, stderr }
}
