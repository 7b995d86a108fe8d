// The local side of `cp`: a tar of local files written into the exec's stdin
// frames (to the container) and a guarded extraction of the container's tar (from
// it). Both stream entry by entry with backpressure, so memory stays flat
// whatever the file size.
// The container side is the agent's (docs/design.md, "cp").
import { constants, createWriteStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { posix, join, dirname, basename } from 'node:path';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { FrameSink } from './exec-stdin.js';
import { buildTarHeader, padding, TAR_END } from './tar-header.js';

export interface CpLocalEntry {
  readonly path: string;
  /** Name in the archive: NAME or NAME/sub/path. */
  readonly name: string;
  readonly stat: import('node:fs').Stats;
}

export interface PackPlan {
  readonly entries: readonly CpLocalEntry[];
  /** Bytes of regular files: the progress total. */
  readonly totalBytes: number;
  readonly failures: string[];
}

/** Lists SRC (a file, or a tree with lstat: symlinks stay links) as archive entries under NAME. */
export async function planPack(src: string, name: string): Promise<PackPlan> {
  const entries: CpLocalEntry[] = [];
  const failures: string[] = [];
  let totalBytes = 0;
  const walk = async (path: string, entryName: string): Promise<void> => {
    let stat;
    try {
      stat = await fs.lstat(path);
    } catch (error) {
      failures.push(`${path}: ${errorText(error)}`);
      return;
    }
    if (stat.isFile()) totalBytes += stat.size;
    else if (!stat.isDirectory() && !stat.isSymbolicLink()) {
      failures.push(`${path}: skipped, not a regular file, directory or symlink`);
      return;
    }
    entries.push({ path, name: entryName, stat });
    if (!stat.isDirectory()) return;
    let names: string[];
    try {
      names = (await fs.readdir(path)).sort();
    } catch (error) {
      failures.push(`${path}: ${errorText(error)}`);
      return;
    }
    for (const child of names) await walk(join(path, child), `${entryName}/${child}`);
  };
  await walk(src, name);
  return { entries, totalBytes, failures };
}

/**
 * Writes the tar of a plan into `sink`'s frame buffers: headers are copied in,
 * file data is read from disk straight into them (no buffer per chunk; see
 * exec-stdin.ts). Without `preserve` the mtimes are the copy's time (as cp without
 * -p); modes always travel. `count` gets the file bytes as they go. A file that
 * fails to read (or shrinks) is a failure line and ends the archive early (its
 * header already promised the size), so the container's tar fails too; the
 * returned promise resolves once the last frame is handed to the sink.
 */
export async function writeArchive(sink: FrameSink, plan: PackPlan, preserve: boolean, count: (bytes: number) => void): Promise<'complete' | 'cut'> {
  const out = new FrameWriter(sink);
  const now = new Date();
  for (const { path, name, stat } of plan.entries) {
    const base = { name, mode: stat.mode & 0o7777, mtime: preserve ? stat.mtime : now };
    try {
      if (stat.isDirectory()) {
        await out.put(buildTarHeader({ ...base, type: 'directory', size: 0 }));
      } else if (stat.isSymbolicLink()) {
        await out.put(buildTarHeader({ ...base, type: 'symlink', size: 0, linkname: await fs.readlink(path) }));
      } else {
        const file = await fs.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          await out.put(buildTarHeader({ ...base, type: 'file', size: stat.size }));
          await out.fromFile(file, stat.size, path, count);
        } finally {
          await file.close();
        }
        await out.put(Buffer.alloc(padding(stat.size)));
      }
    } catch (error) {
      if (error instanceof SinkClosed) throw error.cause;
      plan.failures.push(errorText(error));
      await out.flush();
      return 'cut';
    }
  }
  await out.put(TAR_END);
  await out.flush();
  return 'complete';
}

/** Copies a stream (a tar on our stdin) into `sink`'s frames; waits for a free frame before reading on. */
export async function writeStream(sink: FrameSink, source: AsyncIterable<Buffer>, count: (bytes: number) => void): Promise<void> {
  const out = new FrameWriter(sink);
  for await (const chunk of source) {
    await out.put(chunk);
    count(chunk.length);
  }
  await out.flush();
}

/** Fills one frame buffer at a time and hands it to the sink when full. */
class FrameWriter {
  readonly #sink: FrameSink;
  #buffer: Buffer | undefined;
  #used = 1; // index 0 is the channel byte

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  async put(bytes: Buffer): Promise<void> {
    for (let offset = 0; offset < bytes.length; ) {
      const buffer = await this.#room();
      const n = bytes.copy(buffer, this.#used, offset);
      this.#used += n;
      offset += n;
    }
  }

  /** `size` bytes of an open file, read into the frames themselves. */
  async fromFile(file: FileHandle, size: number, path: string, count: (bytes: number) => void): Promise<void> {
    for (let left = size; left > 0; ) {
      const buffer = await this.#room();
      const { bytesRead } = await file.read(buffer, this.#used, Math.min(buffer.length - this.#used, left), null);
      if (bytesRead === 0) throw new Error(`${path}: the file shrank while it was copied`);
      this.#used += bytesRead;
      left -= bytesRead;
      count(bytesRead);
    }
  }

  async flush(): Promise<void> {
    if (this.#buffer && this.#used > 1) this.#sink.send(this.#buffer, this.#used);
    this.#buffer = undefined;
    this.#used = 1;
  }

  async #room(): Promise<Buffer> {
    if (this.#buffer && this.#used === this.#buffer.length) await this.flush();
    this.#buffer ??= await this.#sink.take().catch((error: unknown) => {
      throw new SinkClosed(error);
    });
    return this.#buffer;
  }
}

/** The exec ended while we sent: its own status says why, not a file of ours. */
class SinkClosed extends Error {
  constructor(cause: unknown) {
    super('the exec ended', { cause });
  }
}

/** Why an archive entry may not be written below the destination, or undefined when it may. */
export function refuseEntry(name: string, type: string, linkname: string | undefined, top: string): string | undefined {
  if (name.startsWith('/')) return 'refused: absolute path';
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return 'refused: ".." in the path';
  if (parts.length === 0 || parts[0] !== top) return `refused: outside the copied "${top}"`;
  if (type === 'link') return 'refused: hard links are not copied';
  if (type !== 'file' && type !== 'directory' && type !== 'symlink') return `skipped: ${type} entries are not copied`;
  if (type === 'symlink') {
    const target = linkname ?? '';
    if (target.startsWith('/')) return `refused: symlink to an absolute path (${target})`;
    // Relative to the link's own directory, within the copied tree (the top entry is its root).
    const resolved = posix.normalize(posix.join(...parts.slice(0, -1), target));
    if (resolved === '..' || resolved.startsWith('../') || (parts.length > 1 && !(resolved === top || resolved.startsWith(`${top}/`)))) {
      return `refused: symlink pointing outside the copy (${target})`;
    }
  }
  return undefined;
}

export interface ExtractResult {
  readonly failures: string[];
  /** Resolves once every entry is on disk. */
  readonly done: Promise<void>;
}

/**
 * Extracts the container's tar (entries TOP or TOP/...) to `root`, the copy's
 * own path (the caller decided between DEST and DEST/TOP). Refused entries are
 * failure lines and drained. No write goes through a symlink: every existing
 * component below root is lstat'ed, and files open with O_NOFOLLOW.
 */
export function extractTo(root: string, top: string, preserve: boolean, isRefused = refuseEntry): { sink: Writable } & ExtractResult {
  const extract = tar.extract();
  const failures: string[] = [];
  const dirs: Array<{ path: string; mode: number; mtime: Date }> = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const drain = (why: string) => {
        failures.push(`${header.name}: ${why}`);
        stream.on('end', () => next());
        stream.resume();
      };
      const refused = isRefused(header.name, header.type ?? 'file', header.linkname ?? undefined, top);
      if (refused) return drain(refused);
      const rest = header.name.split('/').filter((p) => p !== '' && p !== '.').slice(1);
      const path = rest.length === 0 ? root : join(root, ...rest);
      void (async () => {
        try {
          await assertNoSymlinkBelow(root, rest.slice(0, -1));
          const mode = (header.mode ?? 0o644) & 0o7777;
          if (header.type === 'directory') {
            await fs.mkdir(path, { recursive: true, mode: 0o700 });
            dirs.push({ path, mode, mtime: header.mtime ?? new Date() });
            stream.resume();
          } else if (header.type === 'symlink') {
            await fs.rm(path, { force: true });
            await fs.symlink(header.linkname!, path);
            stream.resume();
          } else {
            const handle = await fs.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
            await pipeline(stream as unknown as Readable, createWriteStream('', { fd: handle }));
            await fs.chmod(path, mode);
            if (preserve && header.mtime) await fs.utimes(path, header.mtime, header.mtime);
            return next();
          }
          stream.on('end', () => next());
        } catch (error) {
          drain(errorText(error));
        }
      })();
    });
    extract.on('finish', async () => {
      // Directories last and deepest first: a read-only mode must not stop their contents.
      for (const d of dirs.reverse()) {
        try {
          await fs.chmod(d.path, d.mode);
          if (preserve) await fs.utimes(d.path, d.mtime, d.mtime);
        } catch (error) {
          failures.push(`${d.path}: ${errorText(error)}`);
        }
      }
      resolve();
    });
    extract.on('error', reject);
  });
  done.catch(() => {});
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (extract.write(chunk)) callback();
      else extract.once('drain', () => callback());
    },
    final(callback) {
      extract.end(undefined as unknown as Buffer);
      done.then(() => callback(), (error: Error) => callback(error));
    },
  });
  return { sink, failures, done };
}

async function assertNoSymlinkBelow(root: string, parts: readonly string[]): Promise<void> {
  let path = root;
  for (const part of parts) {
    path = join(path, part);
    const stat = await fs.lstat(path).catch((): undefined => undefined);
    if (stat?.isSymbolicLink()) throw new Error(`refused: ${path} is a symlink (a write through it could leave the destination)`);
    if (stat && !stat.isDirectory()) throw new Error(`${path} is not a directory`);
  }
}

/** DEST or DEST/NAME: into an existing directory, else the copy takes DEST's name (as cp does). */
export async function localTarget(dest: string, name: string): Promise<string> {
  const stat = await fs.stat(dest).catch(() => undefined);
  if (stat?.isDirectory()) return join(dest, name);
  const parent = await fs.stat(dirname(dest) || '.').catch(() => undefined);
  if (!parent?.isDirectory()) throw new Error(`${dirname(dest)}: no such directory`);
  return dest;
}

export function localName(path: string): string {
  return basename(path.replace(/\/+$/, '')) || '.';
}

export function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code && e.path) return `${e.path}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message}`;
  return (e?.message ?? String(error)).split('\n')[0]!;
}
