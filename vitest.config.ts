import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['protocol/**/*.test.ts', 'client/**/*.test.ts', 'plugins/**/*.test.ts', 'react/**/*.test.{ts,tsx}', 'server-mock/**/*.test.ts', 'interop/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    environment: 'node',
    testTimeout: 10_000,
    reporters: ['default'],
  },
});
