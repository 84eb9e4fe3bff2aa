import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts', 'templates/**/*.ts'],
      exclude: ['templates/generated/**'],
      reporter: ['text-summary', 'html'],
      // Handlers run in the local stack (vitest's main process), outside this measure: the floors
      // are for what unit tests cover, highest on the domain core.
      thresholds: {
        'shared/core/**': { lines: 90, functions: 85, branches: 75 },
        'shared/adapters/**': { lines: 50 },
      },
    },
  },
});
