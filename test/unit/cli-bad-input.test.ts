// Bad input (issue 10): every one gives exactly one line `error: ...; what to do
// next` on stderr and a non-zero exit, never an internal error, a stack trace or
// several lines. The built CLI runs as a subprocess (`npm run build` first), as
// a user runs it, with KUBECONFIG pointing at a file that does not exist: no
// cluster is ever touched, and a flag error must win over the missing kubeconfig
// (flags are validated before any I/O).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist', 'kubectl-nsdebug.mjs');
const WORK = mkdtempSync(join(tmpdir(), 'nsdebug-bad-input-'));
const NO_KUBECONFIG = join(WORK, 'no-such-kubeconfig');

interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs the built CLI with `args` (stdin closed, not a terminal) in a scratch directory. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: WORK,
        timeout: 20_000,
        maxBuffer: 16 * 1024 * 1024,
        // HOME in the scratch directory: ~/.kube/config is never read either.
        env: { PATH: process.env.PATH ?? '', HOME: WORK, KUBECONFIG: NO_KUBECONFIG, ...env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolvePromise({ code, signal: (error?.signal as NodeJS.Signals | undefined) ?? null, stdout, stderr, timedOut: Boolean(error?.killed) });
      },
    );
    child.stdin?.end();
  });
}

/** Non-zero exit, nothing on stdout, exactly one stderr line `error: ...; ...` matching `pattern`. */
function expectOneLineError(result: Result, pattern: RegExp): void {
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(result.timedOut, 'the CLI did not exit within 20 s').toBe(false);
  expect(result.code).not.toBeNull();
  expect(result.code).not.toBe(0);
  expect(result.stderr).not.toMatch(/internal error/);
  expect(lines, `stderr:\n${result.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: .+; .+/);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).toBe('');
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

describe('a flag given twice', () => {
  it.each([
    ['--ttl', ['pod/web', '--ttl', '1h', '--ttl', '2h', '--', 'true']],
    ['--ns', ['pod/web', '--ns', 'net', '--ns', 'pid', '--', 'true']],
    ['--image', ['pod/web', '--image', 'busybox:1', '--image', 'busybox:2', '--', 'true']],
    ['--ttl', ['stats', 'pod/web', '--ttl', '1h', '--ttl', '2h']],
    ['--image', ['ns', 'pod/web', '--image', 'busybox:1', '--image', 'busybox:2']],
  ])('%s: one line naming it', async (flag, args) => {
    expectOneLineError(await cli(args), new RegExp(flag));
  });
});

describe('a duration beyond what the CLI can wait', () => {
  it.each([
    ['--idle-timeout', '300000h'],
    ['--timeout', '600h'],
  ])('%s %s: one line naming the flag, before any kubeconfig is read', async (flag, value) => {
    const result = await cli(['pod/web', flag, value, '--', 'true']);
    expectOneLineError(result, new RegExp(flag));
    expect(result.stderr).not.toMatch(/kubeconfig/);
    expect(result.stderr).not.toMatch(/TimeoutOverflowWarning|warning/i);
  });
});

describe('a kubeconfig that cannot be used', () => {
  const file = (name: string, text: string): string => {
    const path = join(WORK, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['not YAML', '{{{ not yaml\n'],
    ['empty', ''],
    ['a list where a map belongs', 'apiVersion: v1\nkind: Config\nclusters: [1, 2]\ncontexts: 5\n'],
  ])('%s: one line naming the file', async (name, text) => {
    const path = file(`kubeconfig-${name.replace(/\W+/g, '-')}`, text);
    expectOneLineError(await cli(['pod/web', '--', 'true'], { KUBECONFIG: path }), /kubeconfig/);
  });

  it('an http:// server: one line, not an internal error', async () => {
    const path = file('kubeconfig-http', [
      'apiVersion: v1', 'kind: Config', 'current-context: plain',
      'clusters:', '- name: plain', '  cluster: {server: "http://127.0.0.1:9"}',
      'users:', '- name: someone', '  user: {token: abc}',
      'contexts:', '- name: plain', '  context: {cluster: plain, user: someone}', '',
    ].join('\n'));
    expectOneLineError(await cli(['pod/web', '--', 'true'], { KUBECONFIG: path }), /http/);
  });
});

// --- the option parser fuzzed with random argv ---

/** mulberry32: a small seeded generator, so a failing argv can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMANDS = ['', '', '', 'list', 'clean', 'ns', 'stats', 'version', 'help', 'bogus'];
const FLAGS = [
  '-n', '--namespace', '-A', '--all-namespaces', '--context', '--kubeconfig', '--cluster', '--user', '--as', '--request-timeout',
  '-q', '--quiet', '--image', '--image-pull-policy', '--helper-namespace', '--timeout', '--ttl', '--idle-timeout', '--idle-start',
  '--keep', '--no-keep', '-c', '--container', '--sandbox', '--ns', '--tools', '-i', '--stdin', '-t', '--tty', '--pick', '--no-pick',
  '-o', '--output', '-w', '--watch', '--all', '-h', '--help', '-V', '--version', '--bogus', '-Z', '-nq', '-it', '--no-ns', '--ttl.x',
];
const VALUES = [
  'pod/web', 'web', 'deploy/api', 'node/n1', 'pod/', 'job/x', 'svc/x', 'pod/Web_1', 'pod/a/b', '../etc', '-', '--', '',
  '  ', '1h', '30s', '0', '-1', '1e9', '1.5', '0x10', '007', '300000h', '600h', '99999999999999999999s', 'NaN', 'Infinity',
  'net', 'net,pid', 'all', 'mnt', 'net,,pid', 'helper', 'host', 'target', 'json', 'table', 'Always', 'Never', 'true', 'false',
  'ünïcødé', 'a\tb', 'line\nbreak', '\u001b[31mred', 'x'.repeat(300), '/nonexistent/kubeconfig', '__proto__', 'constructor', 'toString',
];

function randomArgv(random: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const argv: string[] = [];
  const command = pick(COMMANDS);
  if (command) argv.push(command);
  const count = Math.floor(random() * 9);
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.45) argv.push(pick(FLAGS), pick(VALUES));
    else if (roll < 0.6) argv.push(`${pick(FLAGS.filter((f) => f.startsWith('--')))}=${pick(VALUES)}`);
    else if (roll < 0.8) argv.push(pick(FLAGS));
    else if (roll < 0.93) argv.push(pick(VALUES));
    else {
      argv.push('--', ...Array.from({ length: Math.floor(random() * 4) }, () => pick(VALUES)));
      break;
    }
  }
  return argv;
}

describe('the option parser fuzzed with random argv', () => {
  const seed = Number(process.env.NSDEBUG_FUZZ_SEED ?? 20261129);
  const runs = Number(process.env.NSDEBUG_FUZZ_RUNS ?? 120);

  it(`${runs} argv (seed ${seed}): no stack trace, no internal error, a failure is one line with a hint`, async () => {
    const random = generator(seed);
    const cases = Array.from({ length: runs }, () => randomArgv(random));
    const problems: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const argv = cases[next++]!;
        const result = await cli(argv);
        const lines = result.stderr.split('\n').filter(Boolean);
        const why = [
          result.timedOut && 'still running after 20 s',
          result.code === null && `ended by ${result.signal}`,
          /^\s+at \S|node:internal|^\w*Error: /m.test(result.stderr) && 'a stack trace',
          /internal error/i.test(result.stderr) && 'an internal error',
          result.code !== 0 && lines.length !== 1 && `${lines.length} stderr lines`,
          result.code !== 0 && lines.length === 1 && !/^error: .+; .+/.test(lines[0]!) && 'a line without `error: ...; what to do`',
        ].filter(Boolean);
        if (why.length > 0) problems.push(`${JSON.stringify(argv)}: ${why.join(', ')} (exit ${result.code}): ${result.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
      }
    };
    await Promise.all(Array.from({ length: 3 }, worker));
    expect(problems, `replay with NSDEBUG_FUZZ_SEED=${seed} NSDEBUG_FUZZ_RUNS=${runs}`).toEqual([]);
  }, 240_000);
});
