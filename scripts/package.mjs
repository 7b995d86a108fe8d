// Builds the release archive dist/kubectl-nsdebug-vX.Y.Z.tar.gz and writes its
// version, download URL, sha256 and file list into krew-manifest.yaml.
// The archive holds the plugin's shim (kubectl-nsdebug), the built CLI it
// imports (dist/: the entry and its lazily loaded chunks), the completion
// helper and the LICENSE. It is byte-reproducible: a hand-written ustar with
// fixed order, modes, owners and mtime 0, gzipped without a name or timestamp.
// Usage: node scripts/package.mjs [--out DIR] [--no-manifest] [--no-build]
//   --out DIR       write the archive there (default dist/)
//   --no-manifest   leave krew-manifest.yaml alone (the manifest test uses this)
//   --no-build      pack the build npm run build left in dist/
// Prints one JSON line: {"archive","version","sha256","bytes"}.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { constants, gzipSync } from 'node:zlib';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values: opts } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'dist') },
    'no-manifest': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});

const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  fail(`package.json version "${version}" is not semver; krew needs vMAJOR.MINOR.PATCH`);
}
const tag = `v${version}`;
const releaseUrl = `https://github.com/kubectl-nsdebug/kubectl-nsdebug/releases/download/${tag}/kubectl-nsdebug-${tag}.tar.gz`;

const outDir = resolve(opts.out);
mkdirSync(outDir, { recursive: true });
// A fresh build in a directory of its own: tests running dist/ never see it
// half-written, and no chunk of an earlier build slips into the archive.
const stage = opts['no-build'] ? undefined : mkdtempSync(join(outDir, '.package-'));
const buildDir = stage ?? join(root, 'dist');
if (stage) {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', buildDir], { stdio: 'inherit', cwd: root });
  } catch {
    rmSync(stage, { recursive: true, force: true });
    fail('the build failed (errors above); fix it and run npm run package again');
  }
}

if (!existsSync(join(buildDir, 'kubectl-nsdebug.mjs')) || !existsSync(join(buildDir, 'chunks'))) {
  fail(`no build in ${buildDir}; run npm run build first (or drop --no-build)`);
}

// The repository's shim imports ../dist/; in the archive, dist/ sits beside it.
const shimSource = readFileSync(join(root, 'plugin', 'kubectl-nsdebug'), 'utf8');
const shimImport = "'../dist/kubectl-nsdebug.mjs'";
if (shimSource.split(shimImport).length !== 2) fail(`plugin/kubectl-nsdebug must import ${shimImport} exactly once`);
const shim = Buffer.from(shimSource.replace(shimImport, "'./dist/kubectl-nsdebug.mjs'"));

// Name order is fixed here (chunks sorted by name); directories come before their files.
const chunkNames = readdirSync(join(buildDir, 'chunks')).filter((name) => name.endsWith('.mjs')).sort();
const entries = [
  { name: 'kubectl-nsdebug', mode: 0o755, data: shim },
  { name: 'kubectl_complete-nsdebug', mode: 0o755, data: readFileSync(join(root, 'plugin', 'kubectl_complete-nsdebug')) },
  { name: 'LICENSE', mode: 0o644, data: readFileSync(join(root, 'LICENSE')) },
  { name: 'dist/', mode: 0o755 },
  { name: 'dist/kubectl-nsdebug.mjs', mode: 0o644, data: readFileSync(join(buildDir, 'kubectl-nsdebug.mjs')) },
  { name: 'dist/chunks/', mode: 0o755 },
  ...chunkNames.map((name) => ({ name: `dist/chunks/${name}`, mode: 0o644, data: readFileSync(join(buildDir, 'chunks', name)) })),
];
if (stage) rmSync(stage, { recursive: true, force: true });
// What krew copies into the install directory: every top-level name of the archive.
const topLevel = [...new Set(entries.map((entry) => entry.name.split('/')[0]))];
const archive = buildGzip(buildTar(entries));
const sha256 = createHash('sha256').update(archive).digest('hex');

const archivePath = join(outDir, `kubectl-nsdebug-${tag}.tar.gz`);
writeFileSync(archivePath, archive);

if (!opts['no-manifest']) {
  const manifestPath = join(root, 'krew-manifest.yaml');
  writeFileSync(manifestPath, buildManifestUpdate(readFileSync(manifestPath, 'utf8'), { tag, releaseUrl, sha256, topLevel }));
}
process.stdout.write(JSON.stringify({ archive: archivePath, version: tag, sha256, bytes: archive.length }) + '\n');

/** A POSIX ustar stream of regular files and directories (names ending in /): root-owned, mtime 0, no user names. */
function buildTar(files) {
  const blocks = [];
  for (const file of files) {
    const data = file.data ?? Buffer.alloc(0);
    blocks.push(buildTarHeader(file.name, file.mode, data.length, file.name.endsWith('/') ? '5' : '0'));
    blocks.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024)); // end-of-archive: two zero blocks
  return Buffer.concat(blocks);
}

function buildTarHeader(name, mode, size, type) {
  if (Buffer.byteLength(name) > 100) fail(`archive entry name too long: ${name}`);
  const header = Buffer.alloc(512);
  const put = (offset, length, text) => header.write(text, offset, length, 'ascii');
  const octal = (value, width) => value.toString(8).padStart(width - 1, '0') + '\0';
  put(0, 100, name);
  put(100, 8, octal(mode, 8));
  put(108, 8, octal(0, 8)); // uid
  put(116, 8, octal(0, 8)); // gid
  put(124, 12, octal(size, 12));
  put(136, 12, octal(0, 12)); // mtime
  put(148, 8, ' '.repeat(8)); // checksum placeholder, counted as spaces
  put(156, 1, type); // 0: regular file, 5: directory
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

/** gzip with mtime 0, no file name, and a fixed OS byte (zlib writes the build host's). */
function buildGzip(data) {
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  gz[9] = 3; // OS = Unix, whatever the packaging host is
  return gz;
}

/** Rewrites the manifest's version, and every platform's uri, sha256 and files; the rest is left as written. */
function buildManifestUpdate(text, { tag, releaseUrl, sha256, topLevel }) {
  const platforms = (text.match(/^\s+- selector:/gm) ?? []).length;
  const rewrite = (pattern, replacement, expected, what) => {
    const count = (text.match(pattern) ?? []).length;
    if (count !== expected) fail(`krew-manifest.yaml: expected ${expected} ${what} line(s), found ${count}`);
    text = text.replace(pattern, replacement);
  };
  if (platforms === 0) fail('krew-manifest.yaml: no platforms found');
  rewrite(/^(  version: ).*$/gm, `$1${tag}`, 1, 'spec.version');
  rewrite(/^(\s+uri: ).*$/gm, `$1${releaseUrl}`, platforms, 'uri');
  rewrite(/^(\s+sha256: ).*$/gm, `$1${sha256}`, platforms, 'sha256');
  // Each platform copies every top-level file and directory of the archive (krew moves directories whole).
  rewrite(/^( +)files:\n(?:\1- from: .*\n\1  to: .*\n)+/gm, (_, indent) =>
    `${indent}files:\n${topLevel.map((name) => `${indent}- from: ${name}\n${indent}  to: .\n`).join('')}`, platforms, 'files');
  return text;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}
