// The archive cp sends: writeArchive's tar (our own headers, file data read into
// the frame buffers) read back by real tar programs: GNU tar and busybox tar (the
// helper's), with long and non-ASCII names, modes, a symlink and a file larger than
// many frames; and the frames themselves: reused, never more than the pool.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPack, writeArchive, writeStream } from '../../src/session/cp-archive.js';
import type { FrameSink } from '../../src/session/exec-stdin.js';
import { buildTarHeader } from '../../src/session/tar-header.js';

const work = mkdtempSync(join(tmpdir(), 'nsdebug-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A sink with a pool of `frames` buffers of `size` bytes, handed back at once; records the bytes and the buffers seen. */
function fakeSink(size: number, frames = 2) {
  const pool: Buffer[] = Array.from({ length: frames }, () => Buffer.alloc(size));
  const seen = new Set<unknown>();
  const chunks: Buffer[] = [];
  const sink: FrameSink = {
    take: async () => pool.pop()!,
    send: (buffer, length) => {
      expect(length).toBeGreaterThan(1);
      expect(length).toBeLessThanOrEqual(size);
      seen.add(buffer);
      chunks.push(Buffer.from(buffer.subarray(1, length)));
      pool.push(buffer);
    },
  };
  return { sink, seen, bytes: () => Buffer.concat(chunks) };
}

function hasBusybox(): boolean {
  try {
    execFileSync('busybox', ['true']);
    return true;
  } catch {
    return false;
  }
}

describe('writeArchive', () => {
  const long = 'l'.repeat(120);
  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'sub', 'deep'), { recursive: true });
  mkdirSync(join(tree, long));
  writeFileSync(join(tree, 'sub', 'deep', 'x'), 'x');
  writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(tree, 'run.sh'), 0o755);
  chmodSync(join(tree, 'sub'), 0o750);
  writeFileSync(join(tree, long, long), 'long');
  writeFileSync(join(tree, 'ünï'), 'u');
  symlinkSync('sub/deep/x', join(tree, 'link'));
  const big = randomBytes(300_001);
  writeFileSync(join(tree, 'big.bin'), big);

  async function packed(): Promise<string> {
    const { sink, seen, bytes } = fakeSink(4097);
    const plan = await planPack(tree, 'tree');
    expect(await writeArchive(sink, plan, true, () => {})).toBe('complete');
    expect(plan.failures).toEqual([]);
    expect(seen.size).toBeLessThanOrEqual(2); // the pool's buffers, reused
    const file = join(work, `out-${Math.random().toString(36).slice(2)}.tar`);
    writeFileSync(file, bytes());
    return file;
  }

  function expectTree(root: string): void {
    expect(readFileSync(join(root, 'sub', 'deep', 'x'), 'utf8')).toBe('x');
    expect(statSync(join(root, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, 'sub')).mode & 0o777).toBe(0o750);
    expect(readFileSync(join(root, long, long), 'utf8')).toBe('long');
    expect(readFileSync(join(root, 'ünï'), 'utf8')).toBe('u');
    expect(readlinkSync(join(root, 'link'))).toBe('sub/deep/x');
    expect(readFileSync(join(root, 'big.bin')).equals(big)).toBe(true);
  }

  it('is a tar GNU tar extracts exactly (names, modes, symlink, data)', async () => {
    const file = await packed();
    const dest = mkdtempSync(join(work, 'gnu-'));
    execFileSync('tar', ['-xpf', file, '-C', dest]);
    expectTree(join(dest, 'tree'));
  });

  it.skipIf(!hasBusybox())('is a tar busybox tar (the helper\'s) extracts exactly', async () => {
    const file = await packed();
    const dest = mkdtempSync(join(work, 'bb-'));
    execFileSync('busybox', ['tar', '-xpf', file, '-C', dest]);
    expectTree(join(dest, 'tree'));
  });

  it('a file that cannot be read is a failure line and cuts the archive', async () => {
    const dir = join(work, 'unreadable');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a'), 'a');
    const { sink } = fakeSink(600);
    const plan = await planPack(dir, 'unreadable');
    rmSync(join(dir, 'a')); // gone between the plan and the read
    expect(await writeArchive(sink, plan, false, () => {})).toBe('cut');
    expect(plan.failures).toEqual([expect.stringMatching(/unreadable\/a: no such file or directory$/)]);
  });

  it('counts the file bytes as they go', async () => {
    let counted = 0;
    const { sink } = fakeSink(4097);
    await writeArchive(sink, await planPack(join(tree, 'big.bin'), 'big.bin'), false, (n) => (counted += n));
    expect(counted).toBe(big.length);
  });
});

describe('writeStream', () => {
  it('passes a stream through in whole frames', async () => {
    const { sink, seen, bytes } = fakeSink(1001);
    const data = randomBytes(10_000);
    async function* chunks() {
      for (let i = 0; i < data.length; i += 777) yield data.subarray(i, i + 777);
    }
    await writeStream(sink, chunks(), () => {});
    expect(bytes().equals(data)).toBe(true);
    expect(seen.size).toBeLessThanOrEqual(2);
  });
});

describe('buildTarHeader', () => {
  it('splits a long ASCII path into prefix and name, as ustar allows', () => {
    const name = `${'d'.repeat(60)}/${'e'.repeat(60)}/f`;
    const header = buildTarHeader({ name, type: 'file', mode: 0o644, mtime: new Date(0), size: 1 });
    expect(header.length).toBe(512);
    expect(header.subarray(345, 345 + 60).toString()).toBe('d'.repeat(60));
  });

  it('writes sizes of 8 GiB and more in base-256', () => {
    const header = buildTarHeader({ name: 'huge', type: 'file', mode: 0o644, mtime: new Date(0), size: 8 * 1024 ** 3 });
    expect(header[124]).toBe(0x80);
    expect(header.readUIntBE(130, 6)).toBe(8 * 1024 ** 3);
  });
});
