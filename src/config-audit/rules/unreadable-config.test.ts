import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditConfigs } from '../run.js'

let dir: string
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'audit-unreadable-'))))
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('unreadable-config', () => {
  it.each<[string, string | undefined, string | undefined, number, number]>([
    [
      'invalid JSON, with line:column',
      '{\n  "mcpServers": {\n    "a": { "command": }\n  }\n}',
      'invalid JSON (ValueExpected)',
      3,
      23,
    ],
    ['not an object', '[1, 2]', 'the top level is not a JSON object', 1, 1],
    ['missing file named on the command line', undefined, 'the file does not exist', 1, 1],
    [
      'JSON with comments and trailing commas is fine',
      '{ // c\n "mcpServers": { "a": { "command": "node", }, }, }',
      undefined,
      0,
      0,
    ],
  ])('%s', async (name, text, message, line, column) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.json`)
    if (text !== undefined) await writeFile(path, text)
    const result = await auditConfigs({
      home: dir,
      cwd: dir,
      platform: 'linux',
      env: {},
      paths: [path],
      discover: false,
    })
    const findings = result.findings.filter((f) => f.ruleId === 'unreadable-config')
    if (message === undefined) return expect(findings).toEqual([])
    expect(findings).toHaveLength(1)
    expect(findings[0]?.message).toContain(message)
    expect(findings[0]).toMatchObject({ line, column, severity: 'error' })
  })
})
