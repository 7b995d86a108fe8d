// Everything after `--` reaches the node byte for byte: through the real yargs
// setup (buildCli) and the option validation, as `kubectl nsdebug` parses it.
import { describe, expect, it } from 'vitest';
import { buildCli, splitRemoteCommand, type Commands } from '../../src/cli/cli.js';
import { validateDebugOptions, type RawDebugArgs } from '../../src/cli/debug-options.js';
import { buildExtraArgs } from '../../src/cli/picker-echo.js';

async function parse(args: readonly string[]): Promise<RawDebugArgs> {
  let seen: RawDebugArgs | undefined;
  const commands: Commands = {
    debug: async (raw) => {
      seen = raw;
      return 0;
    },
    list: async () => 0,
    clean: async () => 0,
    ns: async () => 0,
    stats: async () => 0,
    cp: async () => 0,
    diff: async () => 0,
  };
  await buildCli(args, 'kubectl-nsdebug', commands).parseAsync();
  return seen!;
}

async function remoteCommand(tail: readonly string[]): Promise<readonly string[]> {
  const raw = await parse(['pod/web', '--ns', 'net', '--', ...tail]);
  return validateDebugOptions(raw, {}, { stdinIsTTY: false, stdoutIsTTY: false }).command;
}

describe('the remote command after --', () => {
  it.each([
    ['numbers of every shape', ['echo', '1.50', '0x10', '1e3', '007', '-0', '+5', '1_000', '.5', '5.', 'NaN', 'Infinity', '-1.5e-3', '0b11', '0o17', '9007199254740993']],
    ['-1, -- and -n after --', ['-1', '--', '-n', 'kube-system', '--ns', 'all', '-c', 'x', '--help', '--version', '-q']],
    ['empty strings', ['', 'a', '', '']],
    ['spaces, newlines and quotes', ['sh', '-c', 'echo "a  b"\n\'c\'\t\\d', ' lead', 'trail ', '$(id)', '`id`', '*']],
    ['non-ASCII text', ['printf', 'héllo wörld', '日本語', '🙂', '\u00a0', 'ﬁ']],
    ['words yargs would treat as flags or negations', ['--no-pick', '--image=x', '-it', '--', '---', '-']],
  ])('keeps %s', async (_what, tail) => {
    expect(await remoteCommand(tail)).toEqual(tail);
  });

  it('keeps 1,000 arguments in order', async () => {
    const tail = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? String(i) : i % 3 === 1 ? `${i}.0` : `-${i}`));
    expect(await remoteCommand(tail)).toEqual(tail);
  });

  it('the flags before -- still parse, and only the first -- splits', async () => {
    const raw = await parse(['pod/web', '-n', 'shop', '--ns', 'net,uts', '--', 'echo', '--', '1.50']);
    expect(raw.namespace).toBe('shop');
    expect(raw.ns).toBe('net,uts');
    expect(raw['--']).toEqual(['echo', '--', '1.50']);
    expect(splitRemoteCommand(['a', '--', '--', 'b'])).toEqual({ flags: ['a'], command: ['--', 'b'] });
    expect(splitRemoteCommand(['a'])).toEqual({ flags: ['a'], command: undefined });
  });
});

describe("the picker's equivalent command", () => {
  it('carries every flag that shaped the session, parsed as the CLI parses them', async () => {
    const raw = await parse([
      '-n', 'shop', '--context', 'prod', '--kubeconfig', '/k', '--cluster', 'c1', '--user', 'u', '--as', 'admin', '--as-group', 'ops',
      '--request-timeout', '5s', '--image', 'nicolaka/netshoot', '--image-pull-policy', 'Always',
      '--helper-namespace', 'kube-system', '--timeout', '2m', '--ttl', '10m', '--idle-timeout', '1m', '--idle-start', '5m', '--keep', '-q', '-i', '-t',
    ]);
    expect(buildExtraArgs(raw)).toEqual([
      '--kubeconfig', '/k', '--context', 'prod', '--cluster', 'c1', '--user', 'u', '--as', 'admin', '--as-group', 'ops',
      '--request-timeout', '5s', '--image', 'nicolaka/netshoot', '--image-pull-policy', 'Always',
      '--helper-namespace', 'kube-system', '--timeout', '2m', '--ttl', '10m', '--idle-timeout', '1m', '--idle-start', '5m', '--keep', '-q', '-i', '-t',
    ]);
  });

  it('leaves out flags at their defaults', async () => {
    expect(buildExtraArgs(await parse(['pod/web']))).toEqual([]);
  });

  it('carries --keep-warm as typed', async () => {
    expect(buildExtraArgs(await parse(['pod/web', '--keep-warm', '5m']))).toEqual(['--keep-warm', '5m']);
  });
});
