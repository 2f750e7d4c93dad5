import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Ajv from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderJson } from './report-json.js'
import { renderSarif } from './report-sarif.js'
import { renderText } from './report-text.js'
import { RULES } from './rules/index.js'
import { auditConfigs, failsAt, type AuditResult } from './run.js'
import { fake } from './test-support.js'
import type { Finding, Severity } from './types.js'

/**
 * The official SARIF 2.1.0 schema (2.1.0-rtm.5, draft-04), as shipped in the npm package
 * @microsoft/jest-sarif (a devDependency used only for this file).
 */
const require = createRequire(import.meta.url)
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>

function sarifValidator() {
  const ajv = new Ajv({ schemaId: 'auto', allErrors: true })
  ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json') as object)
  return ajv.compile(schema)
}

let dir: string
let result: AuditResult
const token = fake.github()
const key = fake.stripe()
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-report-'))
  await mkdir(join(dir, 'project', '.vscode'), { recursive: true })
  await writeFile(
    join(dir, 'project', '.vscode', 'mcp.json'),
    JSON.stringify({
      servers: {
        gh: { command: 'npx', args: ['-y', 'gh-mcp'], env: { GITHUB_TOKEN: token } },
        pay: { url: 'http://pay.example/mcp', headers: { Authorization: `Bearer ${key}` } },
      },
    }),
  )
  await writeFile(join(dir, 'broken.json'), '{ "mcpServers": ')
  result = await auditConfigs({
    home: join(dir, 'home'),
    cwd: join(dir, 'project'),
    platform: 'linux',
    env: {},
    paths: [join(dir, 'broken.json')],
  })
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('reporters', () => {
  it('text groups by file, shows rule, location, message and hint, masks secrets, ends with a summary', () => {
    const text = renderText(result, join(dir, 'project'))
    expect(text).toContain('.vscode/mcp.json\n')
    expect(text).toMatch(/error {3}hardcoded-credential {2}1:\d+ servers\.gh\.env\.GITHUB_TOKEN/)
    expect(text).toContain(`(value: ${token.slice(0, 4)}…(40 chars))`)
    expect(text).toMatch(/invalid JSON/)
    expect(text).toMatch(
      /2 files checked: \d+ error\(s\), \d+ warning\(s\), \d+ note\(s\); \d+ fixable with --fix\.$/,
    )
    expect(text).not.toContain(token)
    expect(text).not.toContain(key)
  })

  it('json lists files, public findings (no fix plan) and a summary, secrets masked', () => {
    const json = renderJson(result, join(dir, 'project'))
    const parsed = JSON.parse(json) as {
      files: unknown[]
      findings: Finding[]
      summary: Record<Severity, number>
    }
    expect(parsed.files).toHaveLength(2)
    expect(parsed.findings.every((f) => !('fix' in f))).toBe(true)
    expect(parsed.findings[0]).toMatchObject({ ruleId: 'unreadable-config', severity: 'error' })
    expect(parsed.summary.error).toBeGreaterThan(2)
    expect(json).not.toContain(token)
    expect(json).not.toContain(key)
  })

  it('sarif validates against the SARIF 2.1.0 schema and carries rules, levels, regions and fingerprints', () => {
    const sarif = renderSarif(result, join(dir, 'project'), '0.1.0')
    const validate = sarifValidator()
    const log = JSON.parse(sarif) as any
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true)
    expect(sarif).not.toContain(token)
    const run = log.runs[0]
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id))
    expect(run.tool.driver.rules[0]).toMatchObject({
      shortDescription: { text: expect.any(String) },
      fullDescription: { text: expect.any(String) },
      help: { text: expect.any(String) },
      defaultConfiguration: { level: 'error' },
    })
    const secret = run.results.find((r: any) => r.ruleId === 'hardcoded-credential')
    expect(secret).toMatchObject({
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: '.vscode/mcp.json' },
            region: { startLine: 1 },
          },
        },
      ],
      partialFingerprints: { 'mcpPaFinding/v1': expect.stringMatching(/^[0-9a-f]{64}$/) },
    })
    const outside = run.results.find((r: any) => r.ruleId === 'unreadable-config')
    expect(outside.locations[0].physicalLocation.artifactLocation.uri).toMatch(
      /^file:\/\/\/.*broken\.json$/,
    )
  })

  it('the validator really checks: a wrong level is rejected', () => {
    const log = JSON.parse(renderSarif(result, dir, '0.1.0')) as any
    log.runs[0].results[0].level = 'fatal'
    expect(sarifValidator()(log)).toBe(false)
  })

  it('an empty run is valid SARIF too', () => {
    const empty = renderSarif({ files: [], failures: [], findings: [] }, dir, '0.1.0')
    expect(sarifValidator()(JSON.parse(empty))).toBe(true)
  })
})

describe('exit threshold (failsAt)', () => {
  const at = (severity: Severity) => ({ severity }) as Finding
  it.each<[Severity[], Severity, boolean]>([
    [[], 'note', false],
    [['note'], 'warning', false],
    [['note'], 'note', true],
    [['warning'], 'warning', true],
    [['warning'], 'error', false],
    [['error', 'note'], 'error', true],
  ])('%j with --fail-on %s → fails: %s', (severities, threshold, fails) => {
    expect(failsAt(severities.map(at), threshold)).toBe(fails)
  })
})
