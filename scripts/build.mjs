// Bundles the plugin into dist/: the entry dist/kubectl-nsdebug.mjs and the
// chunks it loads lazily, dist/chunks/*.mjs. `--help` and `version` compile
// only the entry (yargs and the option tables); the Kubernetes client, Ink
// and each command's code sit behind the dynamic import()s of src/ and load
// when a command needs them. Ink's layout engine uses top-level await, so the
// output must be ESM; bundled CommonJS dependencies need require() (the banner
// gives each file one). The output is byte-reproducible: same sources and
// lockfile give the same bytes (chunk names are content hashes), wherever the
// checkout lives.
// Usage: node scripts/build.mjs [--outdir DIR] [ENTRY]
//   DIR defaults to dist/, ENTRY to src/cli/main.ts.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: opts, positionals } = parseArgs({ options: { outdir: { type: 'string' } }, allowPositionals: true });
const outdir = resolve(opts.outdir ?? join(root, 'dist'));

const built = await build({
  // Paths in the output are relative to this, never to the caller's cwd.
  absWorkingDir: root,
  // Chunk names hash the inputs' paths: name them as the checkout sees them,
  // so a node_modules that is a symlink (as in a git worktree) builds the same bytes.
  preserveSymlinks: true,
  entryPoints: { 'kubectl-nsdebug': positionals[0] ?? 'src/cli/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Code reached only through a dynamic import() goes into its own chunk, which
  // Node reads and compiles only when that import runs.
  splitting: true,
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  sourcemap: false,
  metafile: true,
  loader: { '.sh': 'text' },
  alias: { 'react-devtools-core': './scripts/stub-devtools.mjs' },
  // Only the version goes into the bundle, not all of package.json (its devDependencies would change the bytes).
  define: { 'process.env.NODE_ENV': '"production"', __NSDEBUG_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
  banner: {
    js: "import { createRequire as __nsdebugCreateRequire } from 'node:module'; const require = __nsdebugCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
}).catch(() => undefined); // esbuild has printed the errors already
if (!built) process.exit(1);

const outputs = new Set(Object.keys(built.metafile.outputs).map((file) => resolve(root, file)));
for (const file of outputs) {
  // A bundle that names the build machine's paths would differ per checkout.
  if (readFileSync(file, 'utf8').includes(root)) {
    console.error(`build: ${relative(root, file)} contains the checkout path ${root}; find the import that embeds it`);
    process.exit(1);
  }
}
// Chunks of earlier builds go only now, after the new ones are in place: a
// plugin started during the build finds either the old files or the new.
const chunks = join(outdir, 'chunks');
for (const name of existsSync(chunks) ? readdirSync(chunks) : []) {
  if (!outputs.has(join(chunks, name))) rmSync(join(chunks, name), { force: true });
}
