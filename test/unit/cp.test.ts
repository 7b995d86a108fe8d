// cp's pure parts: kubectl cp's argument forms, the local guard against archive
// entries that would leave the destination (run on a real crafted tar), the
// agent argv, the diff records and the progress line.
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCpInArgv, buildCpOutArgv, buildDiffArgv } from '../../src/agent/argv.js';
import { buildCli, type Commands } from '../../src/cli/cli.js';
import { parseCpEnd, splitContainerPath, validateCpOptions } from '../../src/cli/cp-options.js';
import { parseDiff, renderDiff } from '../../src/inspect/diff-parse.js';
import { renderTransferLine } from '../../src/cli/transfer-meter.js';
import { extractTo, refuseEntry } from '../../src/session/cp-archive.js';
import { AGENT_NAME } from '../../src/agent/argv.js';
import { AGENT_SCRIPT } from '../../src/agent/script.js';

const AGENT = ['sh', '-c', AGENT_SCRIPT, AGENT_NAME];

const UID = '0f0e0d0c-0b0a-4098-8765-43210fedcba9';
const CID = 'a'.repeat(64);
const work = mkdtempSync(join(tmpdir(), 'nsdebug-cp-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('parseCpEnd', () => {
  it.each([
    ['pod/web:/etc/x', { kind: 'remote', pod: { kind: 'pod', name: 'web' }, namespace: undefined, path: '/etc/x' }],
    ['web:/etc/x', { kind: 'remote', pod: { kind: 'pod', name: 'web' }, namespace: undefined, path: '/etc/x' }],
    ['prod/web:etc/../x', { kind: 'remote', pod: { kind: 'pod', name: 'web' }, namespace: 'prod', path: '/x' }],
    ['-', { kind: 'stdio' }],
    ['./a:b', { kind: 'local', path: './a:b' }],
    ['/tmp/a:b', { kind: 'local', path: '/tmp/a:b' }],
    ['file.txt', { kind: 'local', path: 'file.txt' }],
  ])('%s', (text, expected) => {
    expect(parseCpEnd(text)).toEqual(expected);
  });

  it('needs a path after the colon', () => {
    expect(() => parseCpEnd('web:')).toThrow(/no container path after "web:"/);
  });
});

describe('validateCpOptions', () => {
  it('tells the direction from which side is the pod', () => {
    expect(validateCpOptions({ src: 'a', dst: 'web:/b' }, {}).direction).toBe('in');
    expect(validateCpOptions({ src: 'web:/b', dst: '-' }, {}).direction).toBe('out');
  });
  it('refuses two pods, two local paths, and a namespace given twice differently', () => {
    expect(() => validateCpOptions({ src: 'a:/x', dst: 'b:/y' }, {})).toThrow(/both SRC and DST/);
    expect(() => validateCpOptions({ src: 'a', dst: 'b' }, {})).toThrow(/neither SRC nor DST/);
    expect(() => validateCpOptions({ src: 'ns1/a:/x', dst: 'b', namespace: 'ns2' }, {})).toThrow(/names namespace "ns1" but -n says "ns2"/);
    expect(validateCpOptions({ src: 'ns1/a:/x', dst: 'b' }, {}).kube.namespace).toBe('ns1');
  });
});

it('splitContainerPath', () => {
  expect(splitContainerPath('/')).toEqual({ parent: '/', base: '.' });
  expect(splitContainerPath('/etc/x/')).toEqual({ parent: '/etc', base: 'x' });
  expect(splitContainerPath('/x')).toEqual({ parent: '/', base: 'x' });
});

describe('agent argv', () => {
  it('builds cp-out, cp-in and diff with the path after --', () => {
    expect(buildCpOutArgv({ podUid: UID, containerId: CID, parent: '/etc', base: 'x' })).toEqual([...AGENT, 'cp-out', '--pod-uid', UID, '--container-id', CID, '--', '/etc', 'x']);
    expect(buildCpInArgv({ podUid: UID, containerId: CID, dest: '/tmp/y', parent: '/tmp', base: 'y', name: 'x' }).slice(-5)).toEqual(['--', '/tmp/y', '/tmp', 'y', 'x']);
    expect(buildDiffArgv({ podUid: UID, containerId: CID })).toEqual([...AGENT, 'diff', '--pod-uid', UID, '--container-id', CID]);
  });
  it('refuses relative paths, newlines and entry names with a slash', () => {
    expect(() => buildCpOutArgv({ podUid: UID, containerId: CID, parent: 'etc', base: 'x' })).toThrow(/absolute/);
    expect(() => buildCpOutArgv({ podUid: UID, containerId: CID, parent: '/e\ntc', base: 'x' })).toThrow(/newlines/);
    expect(() => buildCpInArgv({ podUid: UID, containerId: CID, dest: '/a', parent: '/', base: 'a', name: '../x' })).toThrow(/invalid entry name/);
  });
});

describe('refuseEntry', () => {
  it.each([
    ['top/a', 'file', undefined, undefined],
    ['top/d/l', 'symlink', '../a', undefined],
    ['/etc/passwd', 'file', undefined, 'refused: absolute path'],
    ['top/../../x', 'file', undefined, 'refused: ".." in the path'],
    ['other/a', 'file', undefined, 'refused: outside the copied "top"'],
    ['top/l', 'symlink', '/etc/passwd', 'refused: symlink to an absolute path (/etc/passwd)'],
    ['top/l', 'symlink', '../../x', 'refused: symlink pointing outside the copy (../../x)'],
    ['top/h', 'link', 'top/a', 'refused: hard links are not copied'],
    ['top/dev', 'character-device', undefined, 'skipped: character-device entries are not copied'],
  ])('%s (%s -> %s)', (name, type, linkname, expected) => {
    expect(refuseEntry(name, type, linkname, 'top')).toBe(expected);
  });
});

describe('extractTo', () => {
  it('writes the good entries, refuses the escaping ones one line each, and never writes through a symlink', async () => {
    const dest = join(work, 'dest');
    const pack = tar.pack();
    pack.entry({ name: 'top', type: 'directory', mode: 0o755 });
    pack.entry({ name: 'top/ok', mode: 0o600 }, 'ok\n');
    pack.entry({ name: 'top/../evil', mode: 0o644 }, 'evil\n');
    pack.entry({ name: 'top/link', type: 'symlink', linkname: '../../outside' });
    pack.entry({ name: 'top/inner', type: 'symlink', linkname: 'ok' });
    pack.entry({ name: 'top/inner/x', mode: 0o644 }, 'through\n');
    pack.finalize();
    const { sink, failures, done } = extractTo(dest, 'top', false);
    for await (const chunk of pack as AsyncIterable<Buffer>) sink.write(chunk);
    sink.end();
    await done;
    expect(readFileSync(join(dest, 'ok'), 'utf8')).toBe('ok\n');
    expect(readdirSync(dest).sort()).toEqual(['inner', 'ok']);
    expect(existsSync(join(work, 'evil'))).toBe(false);
    expect(failures).toEqual([
      'top/../evil: refused: ".." in the path',
      'top/link: refused: symlink pointing outside the copy (../../outside)',
      expect.stringMatching(/^top\/inner\/x: refused: .*inner is a symlink/),
    ]);
  });
});

it('parseDiff and renderDiff: NUL records, sorted, control characters visible', () => {
  const entries = parseDiff('A\t/b\0D\t/a\0C\t/x\ny\0junk\0');
  expect(entries).toEqual([{ kind: 'D', path: '/a' }, { kind: 'A', path: '/b' }, { kind: 'C', path: '/x\ny' }]);
  expect(renderDiff(entries)).toBe('D /a\nA /b\nC /x\\x0ay\n');
});

it('renderTransferLine: bytes, rate, and ETA when the total is known', () => {
  expect(renderTransferLine('to pod/x:/y', 50 * 1024 * 1024, 2, 100 * 1024 * 1024)).toBe('to pod/x:/y: 50.0 MiB / 100.0 MiB, 25.0 MiB/s, ETA 2s');
  expect(renderTransferLine('from pod/x:/y', 512, 1, undefined)).toBe('from pod/x:/y: 512 B, 512 B/s');
});

describe('cp through the real yargs setup', () => {
  async function cpArgs(args: readonly string[]): Promise<{ src?: string; dst?: string }> {
    let seen: { src?: string; dst?: string } | undefined;
    const none = async () => 0;
    const commands: Commands = { debug: none, list: none, clean: none, ns: none, stats: none, diff: none, cp: async (raw) => ((seen = raw), 0) };
    await buildCli(args, 'kubectl-nsdebug', commands).parseAsync();
    return seen!;
  }

  it('keeps - as SRC or DST (yargs alone turns it into "")', async () => {
    expect(await cpArgs(['cp', '-', 'pod/web:/tmp'])).toMatchObject({ src: '-', dst: 'pod/web:/tmp' });
    expect(await cpArgs(['cp', 'pod/web:/tmp/x', '-', '-q'])).toMatchObject({ src: 'pod/web:/tmp/x', dst: '-' });
    expect(await cpArgs(['cp', 'pod/web:/tmp/x', './-'])).toMatchObject({ dst: './-' });
  });
});
