import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, Ink screens, the agent script against real
// namespaces made with unshare) and `e2e` (the built plugin against the real
// local cluster, run one file at a time because they share one node).
// Ink draws only the final frame when it thinks it runs in CI (CI=true, as .ci/run
// sets it): the screens under test, and the plugin the e2e tests drive in a real
// terminal, must draw as they do for a user.
const env = { CI: 'false' };
// The agent script is imported as text, as esbuild's loader '.sh': 'text' does in the bundle.
const shAsText = { name: 'sh-as-text', enforce: 'pre' as const, transform: (code: string, id: string) => (id.endsWith('.sh') ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined) };

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [shAsText],
        test: {
          name: 'unit',
          env,
          include: ['test/unit/**/*.test.ts', 'test/ui/**/*.test.tsx', 'test/agent/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        plugins: [shAsText],
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
