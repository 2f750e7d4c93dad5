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
  /** The MCP endpoint. */
  url: string
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
  return {
    origin: new URL(url).origin,
    url,
    pid: child.pid ?? 0,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode
      process.kill(child.pid ?? 0, signal)
      return exited
    },
  }
}
