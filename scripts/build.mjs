// Bundles the plugin into one ESM file. Ink's layout engine uses top-level
// await, so the output must be ESM; bundled CommonJS dependencies need require().
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/kubectl-nsdebug.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  splitting: false,
  minify: true,
  legalComments: 'none',
  loader: { '.sh': 'text' },
  alias: { 'react-devtools-core': './scripts/stub-devtools.mjs' },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __nsdebugCreateRequire } from 'node:module'; const require = __nsdebugCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
