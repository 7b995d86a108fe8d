// The krew manifest against a fresh `npm run package`, and against krew's own
// validator (built from sigs.k8s.io/krew by tools/krew/build.sh), which installs
// every platform with the real `kubectl krew` from a local HTTP server.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const manifest = readFileSync(join(ROOT, 'krew-manifest.yaml'), 'utf8');
const version = `v${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}`;

interface Packaged {
  readonly archive: string;
  readonly version: string;
  readonly sha256: string;
}

async function packageInto(dir: string): Promise<Packaged> {
  const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--out', dir, '--no-manifest'], {
    cwd: ROOT,
  });
  return JSON.parse(stdout) as Packaged;
}

/** Values of `key:` lines at the given indentation (the manifest is plain block YAML). */
function fieldValues(key: string): string[] {
  return [...manifest.matchAll(new RegExp(`^\\s*-?\\s*${key}: *(.*)$`, 'gm'))].map((m) => m[1]!.trim());
}

/** A `key: |` block's lines, indentation removed. */
function blockLines(key: string): string[] {
  const match = manifest.match(new RegExp(`^  ${key}: \\|\\n((?:    .*\\n|\\n)+)`, 'm'));
  if (!match) throw new Error(`no ${key} block in krew-manifest.yaml`);
  return match[1]!.split('\n').map((line) => line.slice(4));
}

describe('krew-manifest.yaml', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'nsdebug-package-'));
  let first: Packaged;
  let second: Packaged;

  beforeAll(async () => {
    first = await packageInto(join(scratch, 'a'));
    second = await packageInto(join(scratch, 'b'));
  }, 180_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('the archive is byte-for-byte reproducible', () => {
    expect(second.sha256).toBe(first.sha256);
    expect(createHash('sha256').update(readFileSync(first.archive)).digest('hex')).toBe(first.sha256);
  });

  it('names the version and sha256 of a fresh build (run npm run package when this fails)', () => {
    expect(fieldValues('version'), 'krew-manifest.yaml is stale: run npm run package').toEqual([version]);
    expect(first.version).toBe(version);
    const shas = fieldValues('sha256');
    expect(shas).toHaveLength(4);
    for (const sha of shas) expect(sha, 'krew-manifest.yaml is stale: run npm run package').toBe(first.sha256);
  });

  it('downloads the GitHub release of this version', () => {
    const url = `https://github.com/kubectl-nsdebug/kubectl-nsdebug/releases/download/${version}/kubectl-nsdebug-${version}.tar.gz`;
    expect(fieldValues('uri')).toEqual([url, url, url, url]);
  });

  it('follows the index rules: short description, 80 columns, Node.js caveat, four platforms', () => {
    expect(manifest).toMatch(/^apiVersion: krew\.googlecontainertools\.github\.com\/v1alpha2$/m);
    expect(manifest).toMatch(/^kind: Plugin$/m);
    expect(manifest).toMatch(/^  name: nsdebug$/m);
    const [short] = fieldValues('shortDescription');
    expect(short!.length).toBeLessThanOrEqual(50);
    for (const line of [...blockLines('description'), ...blockLines('caveats')]) {
      expect(line.length).toBeLessThanOrEqual(76); // 80 columns with the 4-space indent
    }
    const description = blockLines('description').join(' ');
    expect(description).toContain('`kubectl debug`');
    expect(description).toContain('node-shell');
    expect(blockLines('caveats').join(' ')).toMatch(/Node\.js.*20\.19/);
    const selectors = [...manifest.matchAll(/os: (\w+)\n\s+arch: (\w+)/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(selectors.sort()).toEqual(['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64']);
    expect(fieldValues('bin')).toEqual(Array(4).fill('kubectl-nsdebug'));
  });

  describe('krew validate-krew-manifest', () => {
    let server: Server;
    let krewBin: string;

    beforeAll(async () => {
      krewBin = (await run('sh', [join(ROOT, 'tools/krew/build.sh')], { timeout: 600_000 })).stdout.trim();
      server = createServer((request, response) => {
        if (request.url !== `/kubectl-nsdebug-${version}.tar.gz`) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/gzip' }).end(readFileSync(first.archive));
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    }, 600_000);
    afterAll(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

    it('accepts the manifest and installs every platform with kubectl krew', async () => {
      const { port } = server.address() as AddressInfo;
      // The validator wants the file named after the plugin, and downloads the uri: serve the fresh
      // archive. Its sha256 goes in too, so a stale manifest fails the test above, not this one.
      const dir = mkdtempSync(join(scratch, 'validate-'));
      const local = manifest
        .replace(/^(\s+uri: ).*$/gm, `$1http://127.0.0.1:${port}/kubectl-nsdebug-${version}.tar.gz`)
        .replace(/^(\s+sha256: ).*$/gm, `$1${first.sha256}`);
      writeFileSync(join(dir, 'nsdebug.yaml'), local);
      const env = { ...process.env, PATH: [krewBin, process.env.PATH ?? ''].join(delimiter) };
      const result = await run(join(krewBin, 'validate-krew-manifest'), ['-manifest', join(dir, 'nsdebug.yaml')], {
        env,
        timeout: 120_000,
      }).catch((error: { stderr?: string; message: string }) => {
        throw new Error(`validate-krew-manifest failed: ${error.stderr ?? error.message}`);
      });
      expect(result.stderr).toContain('no overlapping spec.platform[].selector');
      expect(result.stderr).toContain('all 4 spec.platforms installed fine');
    }, 120_000);
  });
});
