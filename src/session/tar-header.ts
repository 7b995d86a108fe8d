// Tar headers for the archives cp sends (pure). The same records tar-stream's pack
// writes: ustar, with the name split into prefix/name when it is long; a name or
// link target that still does not fit, or is not ASCII, goes first in a pax
// extended header ('x', path= and linkpath=), which busybox tar reads.
// cp-archive.ts writes them itself so the file data can go from disk straight into
// the exec's frame buffers (exec-stdin.ts).

export interface TarEntry {
  readonly name: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  readonly mtime: Date;
  /** Bytes of a file's data (0 for the others). */
  readonly size: number;
  readonly linkname?: string | undefined;
}

export const BLOCK = 512;
const TYPEFLAG = { file: '0', symlink: '2', directory: '5', pax: 'x' } as const;

/** The header block(s) of one entry: 512 bytes, or a pax header, its data padded to a block, and the ustar block. */
export function buildTarHeader(entry: TarEntry): Buffer {
  const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  const linkname = entry.linkname ?? '';
  const split = splitName(name);
  if (split && fits(linkname, 100)) return ustar({ ...entry, size: entry.type === 'file' ? entry.size : 0 }, split.name, split.prefix, linkname, TYPEFLAG[entry.type]);
  const records = paxRecord('path', name) + (linkname ? paxRecord('linkpath', linkname) : '');
  const pax = Buffer.from(records, 'utf8');
  const paxHeader = ustar({ ...entry, size: pax.length }, 'PaxHeader', '', linkname ? 'PaxHeader' : '', TYPEFLAG.pax);
  // The ustar block after it keeps what fits (readers without pax get a cut name, not garbage).
  const short = asciiCut(name, 100);
  const main = ustar({ ...entry, size: entry.type === 'file' ? entry.size : 0 }, short, '', asciiCut(linkname, 100), TYPEFLAG[entry.type]);
  return Buffer.concat([paxHeader, pax, Buffer.alloc(padding(pax.length)), main]);
}

/** Zero bytes that fill a file's data to whole blocks. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end of an archive: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

function fits(text: string, bytes: number): boolean {
  return /^[\x20-\x7e]*$/.test(text) && text.length <= bytes;
}

function asciiCut(text: string, bytes: number): string {
  return text.replace(/[^\x20-\x7e]/g, '_').slice(0, bytes);
}

/** name (<= 100 bytes) and prefix (<= 155) split at a slash, as ustar allows; undefined when it cannot. */
function splitName(full: string): { name: string; prefix: string } | undefined {
  if (!fits(full, 256)) return undefined;
  if (full.length <= 100) return { name: full, prefix: '' };
  // The shortest prefix that leaves a name of at most 100 (tar-stream's choice).
  for (let i = full.indexOf('/'); i !== -1; i = full.indexOf('/', i + 1)) {
    const name = full.slice(i + 1);
    if (name.length <= 100) return i <= 155 && name !== '' ? { name, prefix: full.slice(0, i) } : undefined;
  }
  return undefined;
}

/** "LEN key=value\n", LEN counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length = bytes + String(length).length;
  return `${length}${body}`;
}

function ustar(entry: TarEntry, name: string, prefix: string, linkname: string, typeflag: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'latin1');
  block.write(octal(entry.mode & 0o7777, 7), 100, 'latin1');
  block.write(octal(0, 7), 108, 'latin1'); // uid
  block.write(octal(0, 7), 116, 'latin1'); // gid
  writeSize(block, entry.size);
  block.write(octal(Math.max(0, Math.floor(entry.mtime.getTime() / 1000)), 11), 136, 'latin1');
  block.write(typeflag, 156, 'latin1');
  block.write(linkname, 157, 100, 'latin1');
  block.write('ustar\u000000', 257, 'latin1');
  block.write(octal(0, 7), 329, 'latin1'); // devmajor
  block.write(octal(0, 7), 337, 'latin1'); // devminor
  block.write(prefix, 345, 155, 'latin1');
  // The checksum is taken with its own field as spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return block;
}

/** `digits` octal digits and a NUL. */
function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\u0000`;
}

/** Octal up to 8 GiB - 1; above, GNU's base-256 (busybox and GNU tar read it). */
function writeSize(block: Buffer, size: number): void {
  if (size < 8 ** 11) {
    block.write(octal(size, 11), 124, 'latin1');
    return;
  }
  block[124] = 0x80;
  for (let i = 135, rest = size; i > 124; i--, rest = Math.floor(rest / 256)) block[i] = rest % 256;
}
