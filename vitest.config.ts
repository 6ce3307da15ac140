// Test runner settings: e2e tests start real sshd processes, so they get generous timeouts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The examples import the package by name, as users' programs do; tests run them from source.
  resolve: {
    alias: [
      { find: /^vault-ssh-ca$/, replacement: fileURLToPath(new URL('./core/index.ts', import.meta.url)) },
      {
        find: /^vault-ssh-ca\/providers$/,
        replacement: fileURLToPath(new URL('./providers/index.ts', import.meta.url)),
      },
      { find: /^vault-ssh-ca\/scenario$/, replacement: fileURLToPath(new URL('./core/scenario.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
