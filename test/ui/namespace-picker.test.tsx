import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildEquivalentCommand } from '../../src/ui/equivalent-command.js';
import { buildPreset } from '../../src/ui/namespace-info.js';
import { NamespacePicker } from '../../src/ui/namespace-picker.js';
import type { NamespaceChoice } from '../../src/ui/types.js';
import { KEY, type } from './helpers.js';

afterEach(() => cleanup());

const buildCommand = (c: NamespaceChoice) =>
  buildEquivalentCommand({ target: 'pod/web', container: 'app', namespaces: c.namespaces, tools: c.tools });

function setup(props: Partial<Parameters<typeof NamespacePicker>[0]> = {}) {
  const onConfirm = vi.fn();
  const onCancel = vi.fn();
  const r = render(
    <NamespacePicker title="Namespaces" buildCommand={buildCommand} onConfirm={onConfirm} onCancel={onCancel} {...props} />,
  );
  return { ...r, onConfirm, onCancel };
}

describe('NamespacePicker', () => {
  it('preselects the defaults, describes each namespace, marks those shared with the node', () => {
    expect(setup({ sharedWithNode: ['user', 'time'] }).lastFrame()).toMatchInlineSnapshot(`
      "Namespaces
      ↑↓/jk move · space toggle · t tools · enter confirm · esc/q cancel
      › [x] net    network interfaces, routes and ports
        [x] pid    process ids (what ps shows)
        [ ] mnt    mount points and filesystems            only with target tools
        [x] uts    hostname
        [x] ipc    System V IPC and POSIX message queues
        [ ] user   user and group ids                      shared with the node
        [ ] cgroup cgroup root view
        [ ] time   boot and monotonic clocks               shared with the node
        tools   (•) helper  ( ) host  ( ) target
              the helper image's programs; the target's files at $NSDEBUG_TARGET_ROOT
      presets: n network only · d everything but the filesystem · a everything, like exec
      $ kubectl nsdebug pod/web -c app"
    `);
  });

  it('toggles with space and shows the equivalent command live', async () => {
    const { stdin, lastFrame, onConfirm } = setup();
    await type(stdin, 'j', KEY.space, KEY.down, KEY.down, KEY.down, KEY.space);
    // pid and ipc off: net, uts remain
    expect(lastFrame()).toContain('$ kubectl nsdebug pod/web -c app --ns net,uts');
    await type(stdin, KEY.enter);
    expect(onConfirm).toHaveBeenCalledWith({ namespaces: ['net', 'uts'], tools: 'helper' });
  });

  it('presets: n network only, a everything like exec, d back to the default', async () => {
    const { stdin, lastFrame, onConfirm } = setup({ sharedWithNode: ['user', 'time'] });
    await type(stdin, 'n');
    expect(lastFrame()).toMatch(/\$ kubectl nsdebug pod\/web -c app --ns net$/m);
    await type(stdin, 'a');
    // like exec: the container's filesystem (mnt) and so its own programs
    expect(lastFrame()).toMatch(/\$ kubectl nsdebug pod\/web -c app --ns net,pid,uts,ipc,cgroup --tools target$/m);
    expect(lastFrame()).toMatch(/\[x\] mnt /);
    await type(stdin, 'd');
    expect(lastFrame()).toMatch(/\$ kubectl nsdebug pod\/web -c app$/m);
    await type(stdin, KEY.enter);
    expect(onConfirm).toHaveBeenCalledWith({ namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'helper' });
  });

  it('mnt goes with target tools: checking it picks them, unchecking goes back', async () => {
    const { stdin, lastFrame, onConfirm } = setup();
    await type(stdin, 'j', 'j', KEY.space);
    expect(lastFrame()).toContain('(•) target');
    expect(lastFrame()).toContain("mnt enters the container's filesystem: tools set to target");
    await type(stdin, KEY.space);
    expect(lastFrame()).toContain('(•) helper');
    expect(lastFrame()).toMatch(/\[ \] mnt .*only with target tools/);
    await type(stdin, KEY.space, KEY.enter);
    expect(onConfirm).toHaveBeenCalledWith({ namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc'], tools: 'target' });
  });

  it('warns that cgroup needs more than a busybox helper', async () => {
    const { stdin, lastFrame } = setup();
    await type(stdin, ...Array<string>(6).fill('j'), KEY.space);
    expect(lastFrame()).toMatch(/\[x\] cgroup .*use host tools/);
    await type(stdin, 't');
    expect(lastFrame()).not.toContain('use host tools');
  });

  it('t cycles the tools; target tools imply mnt', async () => {
    const { stdin, lastFrame, onConfirm } = setup();
    await type(stdin, 't');
    expect(lastFrame()).toContain('--tools host');
    await type(stdin, 't');
    expect(lastFrame()).toMatch(/\[x\] mnt .*with target tools/);
    expect(lastFrame()).toMatch(/\$ kubectl nsdebug pod\/web -c app --tools target$/m);
    await type(stdin, KEY.enter);
    expect(onConfirm).toHaveBeenCalledWith({ namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc'], tools: 'target' });
  });

  it('the tools row cycles with arrows and space', async () => {
    const { stdin, lastFrame } = setup();
    await type(stdin, ...Array<string>(8).fill('j'), KEY.right);
    expect(lastFrame()).toContain('(•) host');
    await type(stdin, KEY.left, KEY.left);
    expect(lastFrame()).toContain('(•) target');
    await type(stdin, KEY.space);
    expect(lastFrame()).toContain('(•) helper');
  });

  it('refuses an empty selection', async () => {
    const { stdin, lastFrame, onConfirm } = setup({ initial: { namespaces: ['net'] } });
    await type(stdin, KEY.space, KEY.enter);
    expect(onConfirm).not.toHaveBeenCalled();
    expect(lastFrame()).toContain('choose at least one namespace');
  });

  it('for the sandbox: only its namespaces can be chosen, and no target tools', async () => {
    const { stdin, lastFrame, onConfirm } = setup({ limitTo: ['net', 'uts', 'ipc'], allowedTools: ['helper', 'host'] });
    expect(lastFrame()).toMatch(/\[-\] pid .*not held by the sandbox/);
    await type(stdin, 'j', KEY.space);
    expect(lastFrame()).toContain("the sandbox doesn't hold a pid namespace of its own");
    await type(stdin, 'a', 't', 't', KEY.enter);
    expect(onConfirm).toHaveBeenCalledWith({ namespaces: ['net', 'uts', 'ipc'], tools: 'helper' });
  });

  it.each([['q'], [KEY.escape], [KEY.ctrlC]])('cancels with %j', async (key) => {
    const { stdin, onCancel, onConfirm } = setup();
    await type(stdin, KEY.space, key);
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onConfirm).not.toHaveBeenCalled();
  });
});

describe('buildPreset', () => {
  it('adds user and time to "everything" only when the target has its own', () => {
    expect(buildPreset('a', undefined)).toEqual(['net', 'pid', 'mnt', 'uts', 'ipc', 'cgroup']);
    expect(buildPreset('a', ['time'])).toEqual(['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup']);
    expect(buildPreset('a', [])).toEqual(['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time']);
    expect(buildPreset('d', undefined, ['net', 'uts', 'ipc'])).toEqual(['net', 'uts', 'ipc']);
  });
});

describe('buildEquivalentCommand', () => {
  const base = { target: 'pod/web', namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'helper' } as const;
  it.each([
    [{}, 'kubectl nsdebug pod/web'],
    [{ container: 'app', namespaces: ['uts', 'net'] }, 'kubectl nsdebug pod/web -c app --ns net,uts'],
    [{ namespace: 'shop', sandbox: true, container: 'app' }, 'kubectl nsdebug pod/web -n shop --sandbox'],
    [{ namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time'] }, 'kubectl nsdebug pod/web --ns all'],
    [{ tools: 'host' }, 'kubectl nsdebug pod/web --tools host'],
    [{ tools: 'target', namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc'] }, 'kubectl nsdebug pod/web --tools target'],
    [{ tools: 'target', namespaces: ['mnt'] }, 'kubectl nsdebug pod/web --ns mnt --tools target'],
    // --catch's own default tools are target: echoed only when they differ from that.
    [{ container: 'app', catch: true, tools: 'target', namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc'] }, 'kubectl nsdebug pod/web -c app --catch'],
    [{ container: 'app', catch: true }, 'kubectl nsdebug pod/web -c app --catch --tools helper'],
    [{ target: 'deployment/api', namespace: 'shop', allPods: true, container: 'app', command: ['ss', '-tn'] }, 'kubectl nsdebug deployment/api -n shop --all-pods -c app -- ss -tn'],
    [{ extraArgs: ['--image', 'busybox:1.36'], command: ['sh', '-c', "echo 'hi' $HOME"] }, `kubectl nsdebug pod/web --image busybox:1.36 -- sh -c 'echo '\\''hi'\\'' $HOME'`],
  ] as const)('%j -> %s', (over, expected) => {
    expect(buildEquivalentCommand({ ...base, ...over })).toBe(expected);
  });
});
