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

// string-width builds an Intl.Segmenter when it loads (8.x also a \p{RGI_Emoji}
// regex): 30-60 ms on every start, --help and sessions alike. yargs' help layout
// uses 7.2, which also segments every string; printable ASCII needs none of it
// (8.x's own fast path: width = length). So: built on first use, and 7.2 gets
// 8.x's fast path. The replacements are exact: a string-width that changed
// fails the build here.
const LAZY_SEGMENTER = ['const segmenter = new Intl.Segmenter();', 'let segmenter; const lazySegmenter = () => (segmenter ??= new Intl.Segmenter());'];
const STRING_WIDTH_PATCHES = {
  '7.2.0': [
    LAZY_SEGMENTER,
    ['for (const {segment: character} of segmenter.segment(string)) {', 'if (/^[\\u0020-\\u007E]*$/.test(string)) {\n\t\treturn string.length;\n\t}\n\n\tfor (const {segment: character} of lazySegmenter().segment(string)) {'],
  ],
  '8.3.0': [
    LAZY_SEGMENTER,
    ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'let rgiEmojiRegexBuilt; const rgiEmojiRegex = { test: (text) => (rgiEmojiRegexBuilt ??= /^\\p{RGI_Emoji}$/v).test(text) };'],
    ['segmenter.segment(string)', 'lazySegmenter().segment(string)'],
  ],
};
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]node_modules[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const { version } = JSON.parse(readFileSync(join(dirname(args.path), 'package.json'), 'utf8'));
      const patches = STRING_WIDTH_PATCHES[version];
      if (!patches) return { errors: [{ text: `string-width ${version} has no entry in STRING_WIDTH_PATCHES (scripts/build.mjs): check that it still builds its Segmenter at load, then add one` }] };
      let text = readFileSync(args.path, 'utf8');
      for (const [from, to] of patches) {
        if (text.split(from).length !== 2) return { errors: [{ text: `string-width ${version} changed: "${from}" is not there once; update STRING_WIDTH_PATCHES in scripts/build.mjs` }] };
        text = text.replace(from, () => to);
      }
      return { contents: text, loader: 'js' };
    });
  },
};

// Two imports of client-node that only cost: config.js imports the generated API
// code (createConfiguration, ServerConfiguration) for makeApiClient alone, which
// the plugin never calls (kube/rest.ts makes its requests), and that code carries a
// serializer for every Kubernetes type (~900 KB, ~10 MB of heap); node-fetch
// imports whatwg-url (with tr46's Unicode tables, ~290 KB) as a fallback for a
// global URL that every Node we support has. Each is replaced by a stub; a
// client-node whose config.js no longer imports exactly these fails the build.
const CLIENT_CONFIG = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/;
const trimClient = {
  name: 'trim-client',
  setup(plugin) {
    plugin.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) => (CLIENT_CONFIG.test(args.importer) ? { path: 'client-node-gen', namespace: 'nsdebug-stub' } : undefined));
    plugin.onResolve({ filter: /^whatwg-url$/ }, () => ({ path: 'whatwg-url', namespace: 'nsdebug-stub' }));
    plugin.onLoad({ filter: CLIENT_CONFIG }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes("import { createConfiguration, ServerConfiguration, } from './gen/index.js';")) {
        return { errors: [{ text: "client-node's config.js changed its import of ./gen/index.js: check what it needs now, then update trimClient in scripts/build.mjs" }] };
      }
      return undefined;
    });
    plugin.onLoad({ filter: /.*/, namespace: 'nsdebug-stub' }, (args) => ({
      loader: 'js',
      contents: args.path === 'whatwg-url'
        ? 'export const URL = globalThis.URL; export default { URL };'
        : "const unused = () => { throw new Error('nsdebug: makeApiClient is not bundled; use kube/rest.ts'); };\nexport const createConfiguration = unused;\nexport class ServerConfiguration { constructor() { unused(); } }",
    }));
  },
};

const built = await build({
  plugins: [lazyStringWidth, trimClient],
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
