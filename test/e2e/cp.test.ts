// `cp` and `diff` on the real cluster: a distroless target (the pause image: one
// static binary, nothing else), a container that plants a symlink to /host/etc,
// a read-only root with a volume, a two-container pod, 200 MB each way under an
// RSS bound, and the writable layer of a container that made known changes.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, deletePod, E2E_IMAGE, E2E_LABEL, execInPod, run, kubeEnv, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { nsdebug } from './helpers/nsdebug.js';

const PAUSE_IMAGE = 'localhost/nsdebug/pause:e2e';
const distroless = uniqueName('cp-distroless');
const evil = uniqueName('cp-evil');
const readonly = uniqueName('cp-ro');
const duo = uniqueName('cp-duo');
const differ = uniqueName('cp-diff');
const secret = `nsdebug-e2e-${randomBytes(4).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'nsdebug-cp-'));

function pod(name: string, containers: Array<Record<string, unknown>>, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
    spec: { terminationGracePeriodSeconds: 0, automountServiceAccountToken: false, enableServiceLinks: false, ...spec, containers },
  };
}

const bb = (name: string, script: string, extra: Record<string, unknown> = {}) => ({ name, image: E2E_IMAGE, imagePullPolicy: 'Never', command: ['sh', '-c', script], ...extra });

/** kubectl ARGS with binary stdin and stdout (the e2e run() helper decodes output as text). */
function binaryRun(args: string[], input?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: kubeEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.stdin.on('error', () => {}); // a child that failed early closes its stdin: its exit status tells
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

/**
 * The entries of a tar: a stray line on stdout before or between entries breaks a
 * header (tar-stream fails on it), one after them breaks the 512-byte blocks.
 */
async function tarEntries(bytes: Buffer): Promise<Array<{ name: string; type: string }>> {
  const entries: Array<{ name: string; type: string }> = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      entries.push({ name: header.name, type: header.type ?? 'file' });
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(bytes);
  await done;
  expect(bytes.length % 512).toBe(0);
  return entries;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

beforeAll(async () => {
  await Promise.all([
    applyPod(pod(distroless, [{ name: 'app', image: PAUSE_IMAGE, imagePullPolicy: 'Never' }])),
    applyPod(pod(evil, [bb('app', 'mkdir -p /host/etc /tree/sub && ln -s /host/etc /etc/evil && echo t > /tree/sub/f && ln -s ../../etc/passwd /tree/out && exec sleep 3600')])),
    applyPod(pod(readonly, [bb('app', 'exec sleep 3600', { securityContext: { readOnlyRootFilesystem: true }, volumeMounts: [{ name: 'data', mountPath: '/data' }] })], { volumes: [{ name: 'data', emptyDir: {} }] })),
    applyPod(pod(duo, [bb('first', 'exec sleep 3600'), bb('second', 'mkdir /only-second && exec sleep 3600')])),
    applyPod(pod(differ, [bb('app', 'echo new > /made && echo more >> /etc/passwd && rm /etc/group && mkdir /newdir && echo f > /newdir/f && exec sleep 3600')])),
  ]);
  await Promise.all([distroless, evil, readonly, duo, differ].map((n) => waitPodRunning(n)));
}, 120_000);

afterAll(async () => {
  await Promise.all([distroless, evil, readonly, duo, differ].map((n) => deletePod(n)));
  rmSync(work, { recursive: true, force: true });
});

describe('cp', () => {
  it('copies a file into a distroless container and back, the SHA-256 matching', async () => {
    const src = join(work, 'small.bin');
    writeFileSync(src, randomBytes(100_000));
    chmodSync(src, 0o640);
    const put = await nsdebug(['cp', '-q', src, `pod/${distroless}:/small.bin`]);
    expect(put.stderr).toBe('');
    expect(put.code).toBe(0);
    const back = join(work, 'small-back.bin');
    const get = await nsdebug(['cp', '-q', `${distroless}:/small.bin`, back]);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(await sha256(back)).toBe(await sha256(src));
    expect(statSync(back).mode & 0o777).toBe(0o640);
  });

  it('moves 200 MB each way with matching SHA-256, streaming: the peak RSS barely above a tiny copy\'s', async () => {
    const src = join(work, 'big.bin');
    const fd = openSync(src, 'w');
    for (let i = 0; i < 200; i++) writeSync(fd, randomBytes(1024 * 1024));
    closeSync(fd);
    const tiny = join(work, 'tiny.txt');
    writeFileSync(tiny, 'tiny\n');
    const back = join(work, 'big-back.bin');
    // /usr/bin/time -f %M: the peak RSS (KiB) of kubectl and the plugin it execs in its place.
    const timed = (args: string[]) => run('/usr/bin/time', ['-f', 'maxrss=%M', 'kubectl', 'nsdebug', ...args], { env: kubeEnv(), timeoutMs: 300_000 });
    const rss = (r: { stderr: string }) => Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]);
    const base = await timed(['cp', '-q', tiny, `pod/${distroless}:/tiny.txt`]);
    expect(base.code, base.stderr).toBe(0);
    const put = await timed(['cp', '-q', src, `pod/${distroless}:/big.bin`]);
    expect(put.code, put.stderr).toBe(0);
    const get = await timed(['cp', '-q', `pod/${distroless}:/big.bin`, back]);
    expect(get.code, get.stderr).toBe(0);
    expect(await sha256(back)).toBe(await sha256(src));
    // The goal: under 100 MB. Going in, the data moves through a fixed pool
    // of frame buffers; coming out, reads pause while the disk is behind and the
    // dead receive buffers are collected every 4 MiB (docs/design.md "cp"): 200 MB
    // add ~10-20 MB to the peak of a 5-byte copy (~65 MB).
    console.log(`peak RSS (KiB): 5-byte copy ${rss(base)}, 200 MB in ${rss(put)}, 200 MB out ${rss(get)}`);
    for (const r of [put, get]) {
      expect(rss(r)).toBeLessThan(100 * 1024);
      expect(rss(r) - rss(base)).toBeLessThan(28 * 1024);
    }
    rmSync(src);
    rmSync(back);
  }, 600_000);

  it('round-trips a directory tree with its modes and symlinks', async () => {
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(tree, 'sub', 'deep', 'x'), 'x');
    writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(tree, 'run.sh'), 0o755);
    chmodSync(join(tree, 'sub'), 0o750);
    symlinkSync('sub/deep/x', join(tree, 'link'));
    expect((await nsdebug(['cp', '-q', tree, `pod/${distroless}:/tree`])).code).toBe(0);
    const back = join(work, 'tree-back');
    const get = await nsdebug(['cp', '-q', `pod/${distroless}:/tree`, back]);
    expect(get.stderr).toBe('');
    expect(get.code).toBe(0);
    expect(readFileSync(join(back, 'sub', 'deep', 'x'), 'utf8')).toBe('x');
    expect(statSync(join(back, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(back, 'sub')).mode & 0o777).toBe(0o750);
    expect(readlinkSync(join(back, 'link'))).toBe('sub/deep/x');
  });

  it('- reads a tar from stdin into the container and writes one to stdout, with nothing else on stdout', async () => {
    const tree = join(work, 'stdio-tree');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'sub', 'data.bin'), randomBytes(300_000));
    writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(tree, 'run.sh'), 0o755);
    symlinkSync('sub/data.bin', join(tree, 'link'));
    // `-` extracts into an existing directory, as kubectl cp does.
    const empty = join(work, 'stdio');
    mkdirSync(empty);
    expect((await nsdebug(['cp', '-q', empty, `pod/${distroless}:/stdio`])).code).toBe(0);
    const tarball = execFileSync('tar', ['-C', work, '-cf', '-', 'stdio-tree']);
    const put = await binaryRun(['nsdebug', 'cp', '-', `pod/${distroless}:/stdio`], tarball);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stderr.split('\n').filter((line) => line && !line.startsWith('nsdebug: '))).toEqual([]); // progress lines only
    expect(put.stdout.length).toBe(0);
    // Without -q: progress is for stderr only, so stdout is the tar and nothing else.
    const get = await binaryRun(['nsdebug', 'cp', `pod/${distroless}:/stdio/stdio-tree`, '-']);
    expect(get.code, get.stderr).toBe(0);
    const entries = await tarEntries(get.stdout);
    expect(entries.map((e) => `${e.type} ${e.name}`).sort()).toEqual(['directory stdio-tree/', 'directory stdio-tree/sub/', 'file stdio-tree/run.sh', 'file stdio-tree/sub/data.bin', 'symlink stdio-tree/link']);
    const back = join(work, 'stdio-back');
    mkdirSync(back);
    execFileSync('tar', ['-C', back, '-xf', '-'], { input: get.stdout });
    expect(readFileSync(join(back, 'stdio-tree', 'sub', 'data.bin')).equals(readFileSync(join(tree, 'sub', 'data.bin')))).toBe(true);
    expect(statSync(join(back, 'stdio-tree', 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(back, 'stdio-tree', 'link'))).toBe('sub/data.bin');
  });

  it('resolves a container symlink to /host/etc inside the container: nothing lands on the node', async () => {
    const src = join(work, 'evil.txt');
    writeFileSync(src, 'inside\n');
    const r = await nsdebug(['cp', '-q', src, `pod/${evil}:/etc/evil/${secret}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await execInPod(evil, ['cat', `/host/etc/${secret}`])).stdout).toBe('inside\n');
    expect(existsSync(`/etc/${secret}`)).toBe(false);
    expect(existsSync(`/host/etc/${secret}`)).toBe(false);
  });

  it('refuses an entry from the container that points out of the destination, one line, non-zero', async () => {
    const back = join(work, 'evil-tree');
    const r = await nsdebug(['cp', '-q', `pod/${evil}:/tree`, back]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: tree\/out: refused: symlink pointing outside the copy \(\.\.\/\.\.\/etc\/passwd\)$/)]);
    expect(readFileSync(join(back, 'sub', 'f'), 'utf8')).toBe('t\n');
    expect(existsSync(join(back, 'out'))).toBe(false);
  });

  it('reads a read-only root, refuses to write it in one line, and writes its volume', async () => {
    const back = join(work, 'passwd');
    expect((await nsdebug(['cp', '-q', `pod/${readonly}:/etc/passwd`, back])).code).toBe(0);
    expect(readFileSync(back, 'utf8')).toMatch(/^root:/);
    const put = await nsdebug(['cp', '-q', back, `pod/${readonly}:/etc/copy`]);
    expect(put.code).not.toBe(0);
    expect(put.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: cannot write in \/etc: read-only file system$/i)]);
    const vol = await nsdebug(['cp', '-q', back, `pod/${readonly}:/data/copy`]);
    expect(vol.code).toBe(0);
    expect((await execInPod(readonly, ['head', '-c', '5', '/data/copy'])).stdout).toBe('root:');
  });

  it('picks the container with -c in a pod whose other container runs', async () => {
    const src = join(work, 'duo.txt');
    writeFileSync(src, 'second\n');
    expect((await nsdebug(['cp', '-q', '-c', 'second', src, `pod/${duo}:/only-second/`])).code).toBe(0);
    expect((await execInPod(duo, ['cat', '/only-second/duo.txt'], { container: 'second' })).stdout).toBe('second\n');
    const missing = await nsdebug(['cp', '-q', '-c', 'first', src, `pod/${duo}:/only-second/`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*only-second.*no such/)]);
  });
});

describe('diff', () => {
  it('lists exactly what the container created, changed and deleted', async () => {
    const r = await nsdebug(['diff', '-q', `pod/${differ}`, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { kind: 'C', path: '/etc' },
      { kind: 'D', path: '/etc/group' },
      { kind: 'C', path: '/etc/passwd' },
      { kind: 'A', path: '/made' },
      { kind: 'A', path: '/newdir' },
      { kind: 'A', path: '/newdir/f' },
    ]);
    const text = await nsdebug(['diff', '-q', `pod/${differ}`]);
    expect(text.stdout).toBe('C /etc\nD /etc/group\nC /etc/passwd\nA /made\nA /newdir\nA /newdir/f\n');
  });
});
