// ESLint flat config. The import zones encode DESIGN §4 (dependency direction); a rule that
// lives only in prose drifts, so every layout rule we can express is here.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importPlugin from 'eslint-plugin-import'
import unicorn from 'eslint-plugin-unicorn'
import { fileURLToPath } from 'node:url'

const resolverPath = fileURLToPath(new URL('./scripts/eslint-resolver.cjs', import.meta.url))

const zones = [
  // domain is pure: nothing else in src.
  {
    target: './src/domain',
    from: './src',
    except: ['./domain'],
    message: 'domain imports nothing from src (DESIGN §4)',
  },
  // config and audit are leaves.
  {
    target: './src/config',
    from: './src',
    except: ['./config'],
    message: 'config imports nothing from src (DESIGN §4)',
  },
  {
    target: './src/audit',
    from: './src',
    except: ['./audit'],
    message: 'audit imports nothing from src (DESIGN §4)',
  },
  // storage adapters: ports and domain only.
  {
    target: './src/storage',
    from: [
      './src/auth',
      './src/tools',
      './src/transport',
      './src/cli',
      './src/search',
      './src/config',
    ],
    message: 'storage knows only domain and its own ports (DESIGN §4)',
  },
  // tools: domain, storage ports, search, audit. Never adapters, auth or transport.
  {
    target: './src/tools',
    from: [
      './src/auth',
      './src/transport',
      './src/cli',
      './src/storage/sqlite',
      './src/storage/postgres',
      './src/config',
    ],
    message: 'tools know nothing about OAuth, transports or storage adapters (DESIGN §4)',
  },
  // search: domain only (and its own port).
  {
    target: './src/search',
    from: ['./src/auth', './src/transport', './src/cli', './src/storage', './src/tools'],
    message: 'search depends on domain only (DESIGN §4)',
  },
  {
    target: './src/auth/protocol',
    from: './src',
    except: ['./auth/protocol'],
    message: 'auth/protocol is pure (DESIGN §4)',
  },
  {
    target: './src/auth/guard',
    from: ['./src/auth/server', './src/storage', './src/tools', './src/auth/client'],
    message: 'the guard never imports the server, storage or tools (DESIGN §4)',
  },
  {
    target: './src/auth/server',
    from: './src',
    except: ['./auth/server', './storage/ports.ts', './auth/protocol', './audit', './config'],
    message: 'auth/server imports only storage ports, auth/protocol, audit and config (DESIGN §4)',
  },
  {
    target: './src/auth/client',
    from: './src',
    except: ['./auth/client', './auth/protocol'],
    message: 'auth/client imports only auth/protocol (DESIGN §4)',
  },
  {
    target: './src/config-audit',
    from: './src',
    except: ['./config-audit', './config'],
    message: 'config-audit imports only config (DESIGN §4)',
  },
  {
    target: './src/transport/stdio.ts',
    from: ['./src/auth', './src/transport/http', './src/cli'],
    message: 'stdio mode has no auth (DESIGN §4)',
  },
  {
    target: './src/transport',
    from: ['./src/cli', './src/auth/client'],
    message: 'nothing imports cli (DESIGN §4)',
  },
  {
    target: [
      './src/domain',
      './src/storage',
      './src/search',
      './src/tools',
      './src/transport',
      './src/audit',
      './src/config',
      './src/auth',
      './src/config-audit',
      './src/ui',
    ],
    from: './src/cli',
    message: 'nothing imports cli (DESIGN §4)',
  },
]

/** Packages that belong to the HTTP edge only (src/transport/http and the CLI). */
const EDGE = ['hono', '@hono/node-server', 'ioredis', 'rate-limiter-flexible', 'prom-client']

function restrictPackages(files, names) {
  const paths = names.map((name) => ({
    name,
    message:
      'Database drivers live in src/storage/<dialect>; the HTTP framework, Redis, rate limiting and metrics in src/transport/http (DESIGN §4).',
  }))
  return { files, rules: { 'no-restricted-imports': names.length ? ['error', { paths }] : 'off' } }
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { import: importPlugin, unicorn },
    settings: { 'import/resolver': { [resolverPath]: {} } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'import/no-restricted-paths': ['error', { zones }],
      'import/no-extraneous-dependencies': [
        'error',
        {
          devDependencies: [
            '**/*.test.ts',
            '**/*test-support.ts',
            'test/**',
            'bench/**',
            'src/storage/contract.ts',
            'vitest.config.ts',
            'scripts/**',
          ],
        },
      ],
      'unicorn/filename-case': ['error', { case: 'kebabCase' }],
      'unicorn/prefer-node-protocol': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Use node:crypto for anything random.',
        },
        {
          selector:
            'BinaryExpression[operator=/^[!=]==?$/] > Identifier[name=/(secret|token|password)$/i]',
          message: 'Compare secrets in constant time (auth/protocol/secrets.ts).',
        },
      ],
    },
  },
  { files: ['src/**/*.ts'], ignores: ['src/cli/**'], rules: { 'no-console': 'error' } },
  // Tests assert on loosely typed protocol payloads.
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Drivers and the HTTP framework only at the edge (DESIGN §4): the later block wins.
  restrictPackages(['src/**/*.ts'], ['better-sqlite3', 'better-sqlite3-node20', 'pg', ...EDGE]),
  restrictPackages(['src/storage/sqlite/**/*.ts'], ['pg', ...EDGE]),
  restrictPackages(
    ['src/storage/postgres/**/*.ts'],
    ['better-sqlite3', 'better-sqlite3-node20', ...EDGE],
  ),
  restrictPackages(['src/transport/**/*.ts'], EDGE),
  restrictPackages(['src/transport/http/**/*.ts', 'src/cli/**/*.ts', 'src/**/*.test.ts'], []),
  {
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', exports: 'writable', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
      },
    },
  },
)
