/**
 * Generates docs/configuration.md from the schema and the environment table, so the reference
 * cannot drift from the code (a test compares the committed file with this output).
 */
import { ENV_VARIABLES } from './env.js'
import type { EnvKind } from './env.js'
import { configFields, typeText } from './fields.js'
import type { FieldInfo } from './fields.js'
import { DEFAULT_SECRET_TTL_SECONDS } from './secrets.js'

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')
const code = (text: string) => `\`${text}\``

function defaultCell(field: FieldInfo): string {
  if (field.defaultText) return field.defaultText
  if (field.default === undefined) return '—'
  return code(cell(JSON.stringify(field.default).replaceAll('","', '", "')))
}

function envCell(path: string): string {
  const names = ENV_VARIABLES.filter((v) => v.path === path).map((v) => code(v.name))
  return names.length ? names.join(', ') : '—'
}

function table(fields: ReadonlyArray<[string, FieldInfo]>): string[] {
  const rows = fields.map(([path, field]) => {
    const cells = [
      code(path),
      code(typeText(field)),
      defaultCell(field),
      envCell(path),
      cell(field.description ?? ''),
    ]
    return `| ${cells.join(' | ')} |`
  })
  return [
    '| Key | Type | Default | Environment | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ]
}

function sections(): string[] {
  const root = configFields()
  const entries = Object.entries(root.properties ?? {})
  const scalars = entries.filter(([, field]) => field.type !== 'object')
  const lines = ['## Top level', '', ...table(scalars), '']
  const section = (name: string, node: FieldInfo, level: string) => {
    const children = Object.entries(node.properties ?? {})
    const fields = children
      .filter(([, field]) => field.type !== 'object')
      .map(([key, field]): [string, FieldInfo] => [`${name}.${key}`, field])
    lines.push(`${level} \`${name}\``, '', node.description ?? '', '', ...table(fields), '')
    for (const [key, child] of children) {
      if (child.type === 'object') section(`${name}.${key}`, child, `${level}#`)
    }
  }
  for (const [name, node] of entries) {
    if (node.type === 'object') section(name, node, '##')
  }
  return lines
}

const INTRO = [
  '<!-- Generated from src/config/schema.ts by `npm run docs`. Do not edit by hand. -->',
  '',
  '# Configuration',
  '',
  'mcp-pa reads one JSON file, validated by one schema. Comments and trailing commas are allowed.',
  'Settings come from, in order (later wins):',
  '',
  '1. the defaults below;',
  '2. the file given with `--config <file>`, else `~/.config/mcp-pa/config.json` when it exists',
  '   (`mcp-pa init` writes a commented starter, mode 0600);',
  '3. the `MCP_*` environment variables listed at the end.',
  '',
  'Unknown keys are errors that list the keys allowed at that level. Every problem is reported at',
  'once with the key, what is wrong and the fix; `mcp-pa config check` prints the effective',
  'configuration. Keys of type `secret reference` hold a reference, never the secret itself.',
  '',
]

function secretSection(): string[] {
  return [
    '## Secret references',
    '',
    'A secret field holds a reference in one of these forms:',
    '',
    '| Form | Resolves to |',
    '| --- | --- |',
    '| `env:NAME` | the value of the environment variable `NAME` (an error names it when unset) |',
    '| `file:/absolute/path` | the file’s contents without one trailing newline; refused unless only the owner can access it (`chmod 600 <path>`) |',
    `| \`gcp-sm://projects/P/secrets/S[/versions/V]\` | a Google Secret Manager version (default \`latest\`), cached in memory for ${DEFAULT_SECRET_TTL_SECONDS} s; needs the optional package \`@google-cloud/secret-manager\` |`,
    '',
    'A literal value in a secret field is an error (the value is never echoed). The exceptions are',
    '`database.connection_string` and `redis.url`, which may be a `postgres://` or `redis://` URL',
    'without a password. Resolved',
    'secrets print as `[redacted]` in logs, JSON and `util.inspect`.',
    '',
  ]
}

const KIND_TEXT: Record<EnvKind, string> = {
  string: 'text',
  integer: 'whole number',
  boolean: 'boolean',
  'database-url': 'URL or reference',
  'redis-url': 'URL or reference',
  'key-file': 'path or reference',
  'secret-in-env': 'the secret',
}

function envSection(): string[] {
  const rows = ENV_VARIABLES.map(
    (v) => `| ${code(v.name)} | ${code(v.path)} | ${KIND_TEXT[v.kind]} | ${cell(v.note ?? '')} |`,
  )
  return [
    '## Environment variables',
    '',
    'Each variable overrides one key; an empty variable counts as unset. Booleans accept',
    '`true`/`false`/`1`/`0`/`yes`/`no`; numbers must be whole numbers. A bad value is an error that',
    'names the variable.',
    '',
    '| Variable | Key | Read as | Notes |',
    '| --- | --- | --- | --- |',
    ...rows,
  ]
}

/** The Markdown configuration reference (docs/configuration.md). */
export function renderConfigDocs(): string {
  return [...INTRO, ...sections(), ...secretSection(), ...envSection()].join('\n') + '\n'
}
