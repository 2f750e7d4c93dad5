import { describe, expect, it } from 'vitest'
import { check, server } from '../test-support.js'
import { isPinned, unpinnedPackageRunner } from './unpinned-package-runner.js'

describe('unpinned-package-runner', () => {
  it.each<[string, string, string[], boolean]>([
    ['npx -y pkg', 'npx', ['-y', '@modelcontextprotocol/server-github'], true],
    ['npx pkg', 'npx', ['mcp-server-x'], true],
    ['npx pkg@latest', 'npx', ['-y', 'mcp-server-x@latest'], true],
    ['npx pkg@^1', 'npx', ['-y', 'mcp-server-x@^1.2.0'], true],
    ['bunx pkg', 'bunx', ['pkg'], true],
    ['pnpm dlx pkg', 'pnpm', ['dlx', 'pkg'], true],
    ['uvx pkg', 'uvx', ['mcp-server-fetch'], true],
    ['npx.cmd on Windows', 'C:\\node\\npx.cmd', ['-y', 'pkg'], true],
    ['npx -y pkg@1.2.3', 'npx', ['-y', 'pkg@1.2.3'], false],
    ['npx -y @scope/pkg@1.2.3', 'npx', ['-y', '@scope/pkg@1.2.3'], false],
    ['npx --package=pkg@2.0.0 bin', 'npx', ['--package=pkg@2.0.0', 'bin'], false],
    ['uvx pkg==1.4', 'uvx', ['mcp-server-fetch==1.4'], false],
    ['uvx --from pkg==1.4 bin', 'uvx', ['--from', 'pkg==1.4', 'bin'], false],
    ['node script', 'node', ['server.js'], false],
    ['pnpm install is not a runner', 'pnpm', ['install'], false],
  ])('%s → flagged: %s', (_name, command, args, flagged) => {
    expect(check(unpinnedPackageRunner, server({ command, args }))).toHaveLength(flagged ? 1 : 0)
  })

  it.each([
    ['pkg@1.2.3', false, true],
    ['pkg@v1.2.3-beta.1', false, true],
    ['./local', false, true],
    ['pkg@next', false, false],
    ['pkg==2.0', true, true],
    ['pkg>=2.0', true, false],
  ])('isPinned(%s, python=%s) = %s', (spec, python, pinned) => {
    expect(isPinned(spec, python)).toBe(pinned)
  })
})
