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
      include: ['shared/**', 'functions/**', 'templates/**'],
      thresholds: {
        'shared/core/**': { lines: 90, functions: 90, branches: 80 },
      },
    },
  },
});
