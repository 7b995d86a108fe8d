// Bundles the plugin into one ESM file, dist/kubectl-nsdebug.mjs. Ink's layout
// engine uses top-level await, so the output must be ESM; bundled CommonJS
// dependencies need require(). The output is byte-reproducible: same sources
// and lockfile give the same bytes, wherever the checkout lives.
// Usage: node scripts/build.mjs [--outfile FILE] [ENTRY]
//   FILE defaults to dist/kubectl-nsdebug.mjs, ENTRY to src/cli/main.ts.
import { chmodSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: opts, positionals } = parseArgs({ options: { outfile: { type: 'string' } }, allowPositionals: true });
const outfile = resolve(opts.outfile ?? join(root, 'dist', 'kubectl-nsdebug.mjs'));

const built = await build({
  // Paths in the output are relative to this, never to the caller's cwd.
  absWorkingDir: root,
  entryPoints: [positionals[0] ?? 'src/cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // One file: the archive ships a single executable. Dynamic imports stay
  // lazy (esbuild defers evaluating those modules until the import runs).
  splitting: false,
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  sourcemap: false,
  loader: { '.sh': 'text' },
  alias: { 'react-devtools-core': './scripts/stub-devtools.mjs' },
  // Only the version goes into the bundle, not all of package.json (its devDependencies would change the bytes).
  define: { 'process.env.NODE_ENV': '"production"', __NSDEBUG_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __nsdebugCreateRequire } from 'node:module'; const require = __nsdebugCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
}).catch(() => undefined); // esbuild has printed the errors already
if (!built) process.exit(1);

// A bundle that names the build machine's paths would differ per checkout.
if (readFileSync(outfile, 'utf8').includes(root)) {
  console.error(`build: ${outfile} contains the checkout path ${root}; find the import that embeds it`);
  process.exit(1);
}
chmodSync(outfile, 0o755);
