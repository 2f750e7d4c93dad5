import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PostgreSQL suites share one server; files run in parallel but each uses its own schema.
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
