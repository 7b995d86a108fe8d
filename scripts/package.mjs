// Builds the release archive dist/kubectl-nsdebug-vX.Y.Z.tar.gz and writes its
// version, download URL and sha256 into krew-manifest.yaml.
// The archive is byte-reproducible: a hand-written ustar with fixed order,
// modes, owners and mtime 0, gzipped without a name or timestamp.
// Usage: node scripts/package.mjs [--out DIR] [--no-manifest] [--no-build]
//   --out DIR       write the archive (and the bundle it holds) there (default dist/)
//   --no-manifest   leave krew-manifest.yaml alone (the manifest test uses this)
//   --no-build      pack the bundle already in DIR
// Prints one JSON line: {"archive","version","sha256","bytes"}.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
// Elsewhere than dist/, build beside the archive: tests running dist's bundle never see it half-written.
const bundle = join(outDir, 'kubectl-nsdebug.mjs');
if (!opts['no-build']) {
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outfile', bundle], { stdio: 'inherit', cwd: root });
  } catch {
    fail('the build failed (errors above); fix it and run npm run package again');
  }
}

// Name order is fixed here; krew's manifest copies each by name.
const entries = [
  { name: 'kubectl-nsdebug', mode: 0o755, data: readFileSync(bundle) },
  { name: 'kubectl_complete-nsdebug', mode: 0o755, data: readFileSync(join(root, 'plugin', 'kubectl_complete-nsdebug')) },
  { name: 'LICENSE', mode: 0o644, data: readFileSync(join(root, 'LICENSE')) },
];
const archive = buildGzip(buildTar(entries));
const sha256 = createHash('sha256').update(archive).digest('hex');

const archivePath = join(outDir, `kubectl-nsdebug-${tag}.tar.gz`);
writeFileSync(archivePath, archive);

if (!opts['no-manifest']) {
  const manifestPath = join(root, 'krew-manifest.yaml');
  writeFileSync(manifestPath, buildManifestUpdate(readFileSync(manifestPath, 'utf8'), { tag, releaseUrl, sha256 }));
}
process.stdout.write(JSON.stringify({ archive: archivePath, version: tag, sha256, bytes: archive.length }) + '\n');

/** A POSIX ustar stream of regular files: root-owned, mtime 0, no user names. */
function buildTar(files) {
  const blocks = [];
  for (const file of files) {
    blocks.push(buildTarHeader(file.name, file.mode, file.data.length));
    blocks.push(file.data);
    const pad = (512 - (file.data.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024)); // end-of-archive: two zero blocks
  return Buffer.concat(blocks);
}

function buildTarHeader(name, mode, size) {
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
  put(156, 1, '0'); // regular file
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

/** Rewrites the manifest's version, every platform's uri and sha256; the rest is left as written. */
function buildManifestUpdate(text, { tag, releaseUrl, sha256 }) {
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
  return text;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}
