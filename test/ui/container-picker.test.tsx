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
});
