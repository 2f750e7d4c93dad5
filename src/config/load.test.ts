import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configHarness } from './test-support.js'

const { home: homeDir, load, writeConfig, failure } = configHarness('mcp-pa-load-')

describe('loadConfig sources', () => {
  it('defaults only when there is no file; ~ expands against the given homeDir()', async () => {
    const { config, source, warnings } = await load()
    expect(source).toBeNull()
    expect(warnings).toEqual([])
    expect(config.mode).toBe('local')
    expect(config.database.path).toBe(join(homeDir(), '.config/mcp-pa/database.sqlite'))
  })

  it('reads ~/.config/mcp-pa/config.json with comments and trailing commas', async () => {
    const path = await writeConfig(`// top comment
{
  /* block */ "mode": "http",
  "server": { "port": 9000, }, // trailing comma
}`)
    const { config, source } = await load()
    expect(source).toBe(path)
    expect(config.server.port).toBe(9000)
    expect(config.transport).toBe('streamable-http')
  })

  it('an explicit --config path that is missing is an error', async () => {
    const path = join(homeDir(), 'nope.json')
    const error = await failure({}, path)
    expect(error.format()).toBe(
      `${path}: file not found. Fix: check the path, or write a starter file with \`mcp-pa init\`.`,
    )
  })

  it.each([
    ['{ "mode": "local" "server": {} }', '1:19', 'comma expected'],
    ['{\n  "mode": \n}', '3:1', 'value expected'],
    ['{\n  "mode": "local",\n  "x": [1, 2\n}', '4:1', 'comma expected'],
  ])('a syntax error reports line:column (%j)', async (text, position, problem) => {
    const path = await writeConfig(text, join(homeDir(), 'bad.json'))
    const error = await failure({}, path)
    expect(error.issues[0]).toEqual({
      path: '',
      problem: `invalid JSON: ${problem}`,
      fix: 'correct the syntax (comments and trailing commas are allowed)',
      source: `${path}:${position}`,
    })
  })

  it.each([['[]'], ['"local"'], ['null']])(
    'a top level that is not an object (%s) is an error',
    async (text) => {
      const path = await writeConfig(text)
      const error = await failure()
      expect(error.issues[0]?.problem).toMatch(/^expected a JSON object at the top level, got /)
      expect(error.source).toBe(path)
    },
  )

  it('reports every problem at once, in the documented format', async () => {
    const path = await writeConfig('{ "database": { "pool_size": "ten" }, "colour": 1 }')
    const error = await failure({ MCP_PORT: 'eighty' })
    expect(error.format().split('\n')).toEqual([
      'env MCP_PORT: server.port: expected a whole number, got "eighty". Fix: correct MCP_PORT or unset it.',
      `${path}: database.pool_size: expected a whole number from 1 to 100, got a string. Fix: set database.pool_size to a whole number from 1 to 100, or remove it to use the default (10).`,
      `${path}: colour: unknown key "colour". Fix: remove it or use one of the keys allowed at the top level: mode, transport, database, server, authentication, features, embeddings, rate_limit, redis, logging.`,
    ])
  })
})
