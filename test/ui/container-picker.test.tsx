import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildContainerRows, ContainerPicker } from '../../src/ui/container-picker.js';
import type { ContainerRow } from '../../src/ui/types.js';
import { KEY, type } from './helpers.js';

afterEach(() => cleanup());

const containers: ContainerRow[] = [
  { name: 'app', image: 'ghcr.io/acme/app:1.2', state: 'waiting', reason: 'CrashLoopBackOff', restarts: 7, kind: 'container' },
  { name: 'sidecar', image: 'busybox:1.36', state: 'running', restarts: 0, kind: 'container' },
  { name: 'setup', image: 'busybox:1.36', state: 'terminated', reason: 'Completed', restarts: 0, kind: 'init' },
  { name: 'debugger-x1', image: 'nicolaka/netshoot', state: 'running', restarts: 0, kind: 'ephemeral' },
];

function setup(props: Partial<Parameters<typeof ContainerPicker>[0]> = {}) {
  const onSelect = vi.fn();
  const onCancel = vi.fn();
  const r = render(
    <ContainerPicker
      pod={{ namespace: 'default', name: 'web' }}
      containers={containers}
      sandboxNamespaces={['net', 'uts', 'ipc']}
      onSelect={onSelect}
      onCancel={onCancel}
      {...props}
    />,
  );
  return { ...r, onSelect, onCancel };
}

describe('ContainerPicker', () => {
  it('lists containers, running ephemeral ones, marks those not running, and adds the sandbox', () => {
    expect(setup().lastFrame()).toMatchInlineSnapshot(`
      "Containers of default/web
      ↑↓/jk move · enter choose · esc/q cancel
          NAME                     IMAGE                 STATE                      RESTARTS
      › ✗ app                      ghcr.io/acme/app:1.2  waiting: CrashLoopBackOff  7
          sidecar                  busybox:1.36          running                    0
          debugger-x1 (ephemeral)  nicolaka/netshoot     running                    0
          pod sandbox (pause)  holds net, uts, ipc; there even when no container runs"
    `);
  });

  it('drops init and ephemeral containers that are not running', () => {
    expect(buildContainerRows(containers).map((r) => (r.kind === 'sandbox' ? '(sandbox)' : r.container.name))).toEqual([
      'app',
      'sidecar',
      'debugger-x1',
      '(sandbox)',
    ]);
  });

  it('selects a running container with j and enter, starting at the initial one', async () => {
    const { stdin, onSelect } = setup({ initial: 'sidecar' });
    await type(stdin, 'j', 'k', KEY.enter);
    expect(onSelect).toHaveBeenCalledWith({ kind: 'container', name: 'sidecar' });
  });

  it('a container that is not running: explains the sandbox, then a second enter chooses it', async () => {
    const { stdin, lastFrame, onSelect } = setup();
    await type(stdin, KEY.enter);
    expect(onSelect).not.toHaveBeenCalled();
    expect(lastFrame()).toContain('app is CrashLoopBackOff: the session will enter the pod sandbox (net, uts, ipc)');
    await type(stdin, KEY.enter);
    expect(onSelect).toHaveBeenCalledWith({ kind: 'sandbox', instead: { name: 'app', reason: 'CrashLoopBackOff' } });
  });

  it('moving away drops the explanation; the sandbox row is chosen directly', async () => {
    const { stdin, lastFrame, onSelect } = setup();
    await type(stdin, KEY.enter, KEY.down);
    expect(lastFrame()).not.toContain('the session will enter');
    await type(stdin, KEY.down, KEY.down, KEY.enter);
    expect(onSelect).toHaveBeenCalledWith({ kind: 'sandbox' });
  });

  it.each([['q'], [KEY.escape], [KEY.ctrlC]])('cancels with %j', async (key) => {
    const { stdin, onCancel, onSelect } = setup();
    await type(stdin, KEY.enter, key);
    expect(onCancel).toHaveBeenCalledTimes(1);
    expect(onSelect).not.toHaveBeenCalled();
  });

  describe('a container that can be caught (it will start again)', () => {
    const looping: ContainerRow[] = [
      { ...containers[0]!, catchable: true, lastExit: { code: 1, reason: 'Err\u001b[2Jor' } },
      containers[1]!,
    ];

    it('shows its last exit (control characters visible) and asks: catch its next start, or the sandbox', async () => {
      const { stdin, lastFrame, onSelect } = setup({ containers: looping });
      expect(lastFrame()).toContain('› ✗ app      ghcr.io/acme/app:1.2  waiting: CrashLoopBackOff  7         1 (Err\\e[2Jor)');
      await type(stdin, KEY.enter);
      expect(onSelect).not.toHaveBeenCalled();
      expect(lastFrame()!.split('\n').slice(-4).join('\n')).toMatchInlineSnapshot(`
        "app is CrashLoopBackOff: 7 restarts, last exit 1 (Err\\e[2Jor)
          enter/c  catch its next start: freeze it as its program starts, then enter it (--catch)
          s        enter the pod sandbox instead (net, uts, ipc)
        ↑↓ choose another · esc/q cancel"
      `);
      await type(stdin, KEY.enter);
      expect(onSelect).toHaveBeenCalledWith({ kind: 'catch', name: 'app' });
    });

    it('c catches, s takes the sandbox instead; moving away drops the question', async () => {
      const first = setup({ containers: looping });
      await type(first.stdin, KEY.enter, 'c');
      expect(first.onSelect).toHaveBeenCalledWith({ kind: 'catch', name: 'app' });
      cleanup();
      const second = setup({ containers: looping });
      await type(second.stdin, KEY.enter, 's');
      expect(second.onSelect).toHaveBeenCalledWith({ kind: 'sandbox', instead: { name: 'app', reason: 'CrashLoopBackOff' } });
      cleanup();
      const third = setup({ containers: looping });
      await type(third.stdin, KEY.enter, KEY.down);
      expect(third.lastFrame()).not.toContain('catch its next start');
      await type(third.stdin, 'c', 's');
      expect(third.onSelect).not.toHaveBeenCalled();
    });

    it('a container that will not start again (restartPolicy Never) is not offered a catch', async () => {
      const { stdin, lastFrame, onSelect } = setup({ containers: [{ ...looping[0]!, catchable: false }, containers[1]!] });
      await type(stdin, KEY.enter, 'c');
      expect(lastFrame()).not.toContain('catch its next start');
      expect(onSelect).not.toHaveBeenCalled();
      await type(stdin, KEY.enter);
      expect(onSelect).toHaveBeenCalledWith({ kind: 'sandbox', instead: { name: 'app', reason: 'CrashLoopBackOff' } });
    });
  });
});
