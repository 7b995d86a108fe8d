import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, Ink screens, the agent script against real
// namespaces made with unshare) and `e2e` (the built plugin against the real
// local cluster, run one file at a time because they share one node).
// Ink draws only the final frame when it thinks it runs in CI (CI=true, as .ci/run
// sets it): the screens under test, and the plugin the e2e tests drive in a real
// terminal, must draw as they do for a user.
const env = { CI: 'false' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          env,
          include: ['test/unit/**/*.test.ts', 'test/ui/**/*.test.tsx', 'test/agent/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
