import { describe, expect, it } from 'vitest';
import { validateDebugOptions, type RawDebugArgs } from '../../src/cli/debug-options.js';
import { UserError } from '../../src/base/errors.js';

const terminal = { stdinIsTTY: true, stdoutIsTTY: true };
const pipe = { stdinIsTTY: false, stdoutIsTTY: false };
const parse = (raw: RawDebugArgs, term = terminal, env: NodeJS.ProcessEnv = {}) => validateDebugOptions(raw, env, term);

describe('validateDebugOptions', () => {
  it('defaults: helper tools, net,pid,uts,ipc, an interactive TTY in a terminal', () => {
    const options = parse({ target: 'pod/web' });
    expect(options).toMatchObject({
      target: { kind: 'pod', name: 'web' },
      namespaces: ['net', 'pid', 'uts', 'ipc'],
      namespacesExplicit: false,
      tools: 'helper',
      image: 'docker.io/library/busybox:1.36.1',
      imagePullPolicy: 'IfNotPresent',
      timeoutSeconds: 60,
      ttlSeconds: 3600,
      tty: true,
      stdin: true,
      command: [],
    });
  });

  it('--as-group: once or repeated into a list; more than one group is one error', () => {
    expect(parse({ target: 'web', as: 'jane', asGroup: 'ops' }).kube.asGroups).toEqual(['ops']);
    expect(parse({ target: 'web' }).kube.asGroups).toEqual([]);
    expect(() => parse({ target: 'web', as: 'jane', asGroup: ['ops', 'dev'] })).toThrow(/--as-group given 2 times/);
  });

  it('runs a command without a TTY unless -t, and passes stdin only with -i', () => {
    expect(parse({ target: 'web', '--': ['ip', 'addr'] })).toMatchObject({ tty: false, stdin: false, command: ['ip', 'addr'] });
    expect(parse({ target: 'web', '--': ['cat'], stdin: true }, pipe)).toMatchObject({ tty: false, stdin: true });
    expect(parse({ target: 'web', '--': ['top'], tty: true })).toMatchObject({ tty: true, stdin: true });
  });

  it('refuses -t without a terminal', () => {
    expect(() => parse({ target: 'web', '--': ['sh'], tty: true }, pipe)).toThrowError(/-t\/--tty needs stdin and stdout to be a terminal/);
  });

  it('asks for a TARGET first when there is no terminal for the picker', () => {
    expect(() => parse({}, pipe)).toThrowError(/no TARGET given/);
    expect(() => parse({ '--': ['true'] }, pipe)).toThrowError(/no TARGET given/);
  });

  it('asks for a COMMAND when there is no terminal', () => {
    expect(() => parse({ target: 'web' }, pipe)).toThrowError(/no COMMAND given/);
  });

  it('takes the image from NSDEBUG_IMAGE unless --image', () => {
    expect(parse({ target: 'web' }, terminal, { NSDEBUG_IMAGE: 'local/bb:1' }).image).toBe('local/bb:1');
    expect(parse({ target: 'web', image: 'x/y:2' }, terminal, { NSDEBUG_IMAGE: 'local/bb:1' }).image).toBe('x/y:2');
  });

  it('parses durations', () => {
    expect(parse({ target: 'web', timeout: '90s', ttl: '2m', idleTimeout: '5' })).toMatchObject({ timeoutSeconds: 90, ttlSeconds: 120, idleSeconds: 5 });
  });

  it.each([
    [{ timeout: 'soon' }, /--timeout "soon" is not a valid duration/],
    [{ ttl: '0s' }, /--ttl "0s" is not a valid duration/],
    [{ ns: 'net,disk' }, /disk/],
    [{ tools: 'mine' }, /--tools "mine"/],
    [{ imagePullPolicy: 'Sometimes' }, /--image-pull-policy/],
    [{ container: 'a', sandbox: true }, /exclude each other/],
  ] as Array<[RawDebugArgs, RegExp]>)('rejects %o', (raw, message) => {
    expect(() => parse({ target: 'web', ...raw })).toThrowError(message);
    expect(() => parse({ target: 'web', ...raw })).toThrowError(UserError);
  });

  it('rejects pod-only flags on a node target', () => {
    expect(() => parse({ target: 'node/n1', container: 'a' })).toThrowError(/need a pod target/);
    expect(() => parse({ target: 'node/n1', tools: 'target' })).toThrowError(/--tools target needs a pod target/);
  });

  it('expands --ns all, which enters mnt and so uses the target\'s tools', () => {
    expect(parse({ target: 'web', ns: 'all' })).toMatchObject({ namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time'], tools: 'target' });
  });

  it('refuses mnt with helper or host tools, saying where the files are instead', () => {
    expect(() => parse({ target: 'web', ns: 'mnt', tools: 'helper' })).toThrowError(/--ns mnt enters the container's filesystem, where the helper image's programs are not/);
    expect(() => parse({ target: 'web', ns: 'net,mnt', tools: 'host' })).toThrowError(/node's programs/);
  });
});

describe('validateDebugOptions --catch', () => {
  it('defaults to target tools (mnt), asks nothing, keeps the command', () => {
    expect(parse({ target: 'pod/crashy', catch: true, '--': ['cat', '/config/app.conf'] }, pipe)).toMatchObject({
      tools: 'target',
      interactivePicker: false,
      catch: { killOnExit: false, printEnv: false },
      command: ['cat', '/config/app.conf'],
    });
    expect(parse({ target: 'pod/crashy', catch: true, tools: 'helper', killOnExit: true })).toMatchObject({ tools: 'helper', tty: true, catch: { killOnExit: true } });
    expect(parse({ target: 'pod/crashy', catch: true, printEnv: true }, pipe)).toMatchObject({ tty: false, stdin: false, catch: { printEnv: true } });
  });

  it.each([
    [{ target: 'pod/x', killOnExit: true }, /--kill-on-exit applies to a caught container/],
    [{ target: 'pod/x', printEnv: true }, /--print-env applies to a caught container/],
    [{ target: 'node/n', catch: true }, /--catch needs a pod target, not a node/],
    [{ target: 'pod/x', catch: true, sandbox: true }, /--catch freezes a container, and the sandbox is no container/],
    [{ target: 'pod/x', catch: true, printEnv: true, '--': ['true'] }, /--print-env .* runs no COMMAND/],
  ] as const)('%j is refused with one line', (raw, message) => {
    expect(() => parse(raw as RawDebugArgs)).toThrow(UserError);
    expect(() => parse(raw as RawDebugArgs)).toThrow(message);
  });
});

describe('validateDebugOptions --keep-warm', () => {
  const session = { target: 'pod/web', '--': ['hostname'] } as const;
  it('off by default; the flag or NSDEBUG_KEEP_WARM in seconds; 0 turns it off', () => {
    expect(parse(session, pipe).keepWarmSeconds).toBeUndefined();
    expect(parse({ ...session, keepWarm: '2m' }, pipe).keepWarmSeconds).toBe(120);
    expect(parse(session, pipe, { NSDEBUG_KEEP_WARM: '90s' }).keepWarmSeconds).toBe(90);
    expect(parse({ ...session, keepWarm: '0' }, pipe, { NSDEBUG_KEEP_WARM: '90s' }).keepWarmSeconds).toBeUndefined();
  });
  it('bad values and conflicts are one error naming the flag; the variable alone is not applied where it does not fit', () => {
    expect(() => parse({ ...session, keepWarm: 'soon' }, pipe)).toThrow(/--keep-warm "soon" is not a valid duration/);
    expect(() => parse(session, pipe, { NSDEBUG_KEEP_WARM: '25h' })).toThrow(/NSDEBUG_KEEP_WARM "25h"/);
    expect(() => parse({ ...session, keepWarm: '1m', keep: true }, pipe)).toThrow(/--keep-warm and --keep exclude each other/);
    expect(() => parse({ ...session, keepWarm: '1m', catch: true }, pipe)).toThrow(/single session/);
    expect(parse({ ...session, catch: true }, pipe, { NSDEBUG_KEEP_WARM: '1m' }).keepWarmSeconds).toBeUndefined();
    expect(parse({ ...session, keep: true }, pipe, { NSDEBUG_KEEP_WARM: '1m' }).keepWarmSeconds).toBeUndefined();
  });
});
