import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PickerApp } from '../../src/ui/picker-app.js';
import type { PickerOutcome } from '../../src/ui/picker-app.js';
import { runPicker } from '../../src/ui/render.js';
import type { ContainerRow, PickerPlan } from '../../src/ui/types.js';
import { FakeTtyStdin, FakeTtyStdout, KEY, pod, screenAfter, tick, type } from './helpers.js';

afterEach(() => cleanup());

const containers: ContainerRow[] = [
  { name: 'app', image: 'app:1', state: 'waiting', reason: 'CrashLoopBackOff', restarts: 3, kind: 'container' },
  { name: 'sidecar', image: 'busybox:1.36', state: 'running', restarts: 0, kind: 'container' },
];

/** A promise with its resolve exposed: data that arrives while a screen shows. */
function later<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function setup(plan: PickerPlan) {
  const onDone = vi.fn<(o: PickerOutcome) => void>();
  const r = render(<PickerApp plan={plan} onDone={onDone} />);
  return { ...r, onDone };
}

describe('PickerApp', () => {
  it('shows the first page of pods at once and appends later pages; filtering reaches them', async () => {
    const second = later<void>();
    async function* more() {
      await second.promise;
      yield [pod('zz-late')];
    }
    const { stdin, lastFrame, onDone } = setup({
      pod: { choose: [pod('web')], more: more(), title: 'Pods in namespace default' },
      container: async () => ({ known: { kind: 'container', name: 'app' } }),
      namespaces: { known: { namespaces: ['net'], tools: 'helper' } },
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('web'));
    expect(lastFrame()).not.toContain('zz-late');
    second.resolve();
    await vi.waitFor(() => expect(lastFrame()).toContain('zz-late'));
    await type(stdin, '/', 'z', 'z', KEY.enter);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone.mock.calls[0]![0]).toMatchObject({ kind: 'chose', result: { pod: { name: 'zz-late' } } });
  });

  it('pod list loads late, the helper starts on pod choice, sandbox fallback limits namespaces', async () => {
    const pods = later<ReturnType<typeof pod>[]>();
    const shared = later<'ipc'[]>();
    const onPodChosen = vi.fn();
    const { stdin, lastFrame, onDone } = setup({
      pod: { choose: pods.promise, title: 'Pods in namespace default' },
      container: async () => ({ choose: containers, sandboxNamespaces: ['net', 'uts', 'ipc'] }),
      namespaces: { sharedWithNode: () => shared.promise },
      onPodChosen,
      currentNamespace: 'default',
    });
    expect(lastFrame()).toContain('loading pods…');
    pods.resolve([pod('web'), pod('db', { namespace: 'shop' })]);
    await type(stdin, 'j', KEY.enter);
    expect(onPodChosen).toHaveBeenCalledWith({ namespace: 'shop', name: 'db' });
    await vi.waitFor(() => expect(lastFrame()).toContain('Containers of shop/db'));
    await type(stdin, KEY.enter);
    expect(lastFrame()).toContain('app is CrashLoopBackOff: the session will enter the pod sandbox (net, uts, ipc)');
    await type(stdin, KEY.enter);
    expect(lastFrame()).toContain('checking which namespaces the node shares…');
    expect(lastFrame()).toContain('$ kubectl nsdebug pod/db -n shop --sandbox --ns net,uts,ipc');
    shared.resolve(['ipc']);
    await vi.waitFor(() => expect(lastFrame()).toMatch(/ipc .*shared with the node/));
    expect(lastFrame()).not.toContain('checking');
    await type(stdin, 'n', KEY.enter);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone).toHaveBeenCalledWith({
      kind: 'chose',
      result: {
        pod: { namespace: 'shop', name: 'db' },
        container: { kind: 'sandbox', instead: { name: 'app', reason: 'CrashLoopBackOff' } },
        namespaces: ['net'],
        tools: 'helper',
        command: 'kubectl nsdebug pod/db -n shop --sandbox --ns net',
      },
    });
    expect(lastFrame()).toBe('✓ kubectl nsdebug pod/db -n shop --sandbox --ns net');
  });

  it('skips the screens whose choice is known', async () => {
    const onPodChosen = vi.fn();
    const { onDone, lastFrame } = setup({
      pod: { known: { namespace: 'default', name: 'web' } },
      container: () => ({ known: { kind: 'container', name: 'app' } }),
      namespaces: { known: { namespaces: ['uts'], tools: 'host' } },
      onPodChosen,
      command: ['hostname'],
    });
    await vi.waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(onPodChosen).toHaveBeenCalledWith({ namespace: 'default', name: 'web' });
    expect(onDone).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'chose', result: expect.objectContaining({ command: 'kubectl nsdebug pod/web -c app --ns uts --tools host -- hostname' }) }),
    );
    expect(lastFrame()).toContain('✓ kubectl nsdebug');
  });

  it('Esc on the namespace screen cancels, after the pod was chosen', async () => {
    const onPodChosen = vi.fn();
    const { stdin, onDone, lastFrame } = setup({
      pod: { choose: [pod('web')], title: 'Pods' },
      container: () => ({ known: { kind: 'container', name: 'app' } }),
      namespaces: { initial: { namespaces: ['net'] } },
      onPodChosen,
    });
    await type(stdin, KEY.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Namespaces to enter: default/web, container app'));
    await type(stdin, KEY.escape);
    expect(onPodChosen).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({ kind: 'cancelled' }));
    expect(lastFrame()).toBe('');
  });

  it('q cancels while containers are still loading; their late arrival changes nothing', async () => {
    const step = later<{ choose: ContainerRow[]; sandboxNamespaces: ['net'] }>();
    const { stdin, onDone, lastFrame } = setup({
      pod: { known: { namespace: 'default', name: 'web' } },
      container: () => step.promise,
      namespaces: {},
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('loading the containers of default/web…'));
    await type(stdin, 'q');
    step.resolve({ choose: containers, sandboxNamespaces: ['net'] });
    await tick();
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(onDone).toHaveBeenCalledWith({ kind: 'cancelled' });
  });

  it('a failed pod list ends with that error', async () => {
    const failure = new Error('cannot list pods in namespace default: forbidden');
    const { onDone } = setup({ pod: { choose: Promise.reject(failure), title: 'Pods' }, container: () => ({ known: { kind: 'sandbox' } }), namespaces: {} });
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledWith({ kind: 'error', error: failure }));
  });
});

describe('PickerApp: catch a container that is not running', () => {
  const looping: ContainerRow[] = [{ ...containers[0]!, catchable: true, lastExit: { code: 1, reason: 'Error' } }, containers[1]!];

  it('catch, then the namespace screen with target tools; the equivalent command has --catch', async () => {
    const sharedWithNode = vi.fn(() => ['net' as const]);
    const { stdin, lastFrame, onDone } = setup({
      pod: { known: { namespace: 'shop', name: 'crashy' } },
      container: async () => ({ choose: looping, sandboxNamespaces: ['net', 'uts', 'ipc'] }),
      namespaces: { initial: { namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'helper' }, sharedWithNode },
      catchNamespaces: { initial: { namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'target' } },
      currentNamespace: 'default',
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('Containers of shop/crashy'));
    await type(stdin, KEY.enter);
    expect(lastFrame()).toContain('app is CrashLoopBackOff: 3 restarts, last exit 1 (Error)');
    await type(stdin, KEY.enter);
    await vi.waitFor(() => expect(lastFrame()).toContain('Namespaces to enter: shop/crashy, container app, caught at its next start'));
    // Nothing to compare with the node yet: the container has no namespaces until it starts.
    expect(sharedWithNode).not.toHaveBeenCalled();
    expect(lastFrame()).not.toContain('checking');
    expect(lastFrame()).toContain('$ kubectl nsdebug pod/crashy -n shop -c app --catch');
    await type(stdin, 't');
    expect(lastFrame()).toContain('$ kubectl nsdebug pod/crashy -n shop -c app --catch --tools helper');
    await type(stdin, 't', 't', KEY.enter);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone).toHaveBeenCalledWith({
      kind: 'chose',
      result: {
        pod: { namespace: 'shop', name: 'crashy' },
        container: { kind: 'catch', name: 'app' },
        namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc'],
        tools: 'target',
        command: 'kubectl nsdebug pod/crashy -n shop -c app --catch',
      },
    });
    expect(lastFrame()).toBe('✓ kubectl nsdebug pod/crashy -n shop -c app --catch');
  });

  it('with a COMMAND the namespaces are known: catch goes straight to the session, the command echoed', async () => {
    const { stdin, lastFrame, onDone } = setup({
      pod: { known: { namespace: 'default', name: 'crashy' } },
      container: async () => ({ choose: looping, sandboxNamespaces: ['net', 'uts', 'ipc'], initial: 'app' }),
      namespaces: { known: { namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'helper' } },
      catchNamespaces: { known: { namespaces: ['net', 'pid', 'mnt', 'uts', 'ipc'], tools: 'target' } },
      currentNamespace: 'default',
      extraArgs: ['--timeout', '5m'],
      command: ['cat', '/config/app.conf'],
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('Containers of default/crashy'));
    await type(stdin, KEY.enter, 'c');
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onDone.mock.calls[0]![0]).toMatchObject({ kind: 'chose', result: { container: { kind: 'catch', name: 'app' }, tools: 'target' } });
    expect(lastFrame()).toBe('✓ kubectl nsdebug pod/crashy -c app --catch --timeout 5m -- cat /config/app.conf');
  });
});

describe('PickerApp: the "all pods" row', () => {
  const offer = { target: 'deployment/api', namespace: 'shop' };

  it('with a COMMAND: runs the fan-out; the equivalent command has --all-pods and the workload', async () => {
    const onPodChosen = vi.fn();
    const { stdin, lastFrame, onDone } = setup({
      pod: { choose: [pod('api-1', { namespace: 'shop' }), pod('api-2', { namespace: 'shop' })], title: 'Pods of deployment/api in namespace shop', allPods: offer },
      container: async () => ({ known: { kind: 'container', name: 'app' } }),
      namespaces: { known: { namespaces: ['net'], tools: 'helper' } },
      onPodChosen,
      currentNamespace: 'default',
      command: ['ss', '-tn'],
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('all pods (2)'));
    await type(stdin, 'j', 'j', KEY.enter);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(onPodChosen).not.toHaveBeenCalled(); // no helper for one pod: the fan-out makes one per node
    expect(onDone).toHaveBeenCalledWith({
      kind: 'chose',
      result: { allPods: offer, namespaces: ['net'], tools: 'helper', command: 'kubectl nsdebug deployment/api -n shop --all-pods --ns net -- ss -tn' },
    });
    expect(lastFrame()).toBe('✓ kubectl nsdebug deployment/api -n shop --all-pods --ns net -- ss -tn');
  });

  it('echoes -c or --sandbox from the flags', async () => {
    const { stdin, lastFrame, onDone } = setup({
      pod: { choose: [pod('api-1'), pod('api-2')], title: 'Pods of deployment/api', allPods: { target: 'deployment/api', namespace: 'default', container: 'side' } },
      container: async () => ({ known: { kind: 'container', name: 'side' } }),
      namespaces: { known: { namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'helper' } },
      currentNamespace: 'default',
      command: ['hostname'],
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('all pods (2)'));
    await type(stdin, 'j', 'j', KEY.enter);
    await vi.waitFor(() => expect(onDone).toHaveBeenCalledTimes(1));
    expect(lastFrame()).toBe('✓ kubectl nsdebug deployment/api --all-pods -c side -- hostname');
  });

  it('without a COMMAND: no row, a line says how to get it', async () => {
    const { lastFrame } = setup({
      pod: { choose: [pod('api-1'), pod('api-2')], title: 'Pods of deployment/api', allPods: { target: 'deployment/api', namespace: 'default' } },
      container: async () => ({ known: { kind: 'container', name: 'app' } }),
      namespaces: { initial: {} },
    });
    await vi.waitFor(() => expect(lastFrame()).toContain('api-2'));
    expect(lastFrame()).not.toContain('all pods (');
    expect(lastFrame()).toContain('all pods: give a COMMAND after -- to run it in each (deployment/api --all-pods -- COMMAND)');
  });
});

describe('runPicker', () => {
  const plan: PickerPlan = {
    pod: { choose: [pod('web'), pod('db')], title: 'Pods' },
    container: () => ({ choose: containers, sandboxNamespaces: ['net', 'uts', 'ipc'], initial: 'sidecar' }),
    namespaces: {},
  };

  it('draws on the given stream, returns the choice, and leaves raw mode off before resolving', async () => {
    const stdin = new FakeTtyStdin();
    const stdout = new FakeTtyStdout();
    const done = runPicker(plan, { stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, noColor: true });
    await type(stdin, 'j', KEY.enter, KEY.enter, 'n', KEY.enter);
    await expect(done).resolves.toEqual({
      pod: { namespace: 'default', name: 'db' },
      container: { kind: 'container', name: 'sidecar' },
      namespaces: ['net'],
      tools: 'helper',
      command: 'kubectl nsdebug pod/db -c sidecar --ns net',
    });
    expect(stdin.rawModes.at(0)).toBe(true);
    expect(stdin.rawModes.at(-1)).toBe(false);
    expect(stdin.refs).toBe(0);
    expect(stdin.listenerCount('readable')).toBe(0);
    expect(screenAfter(stdout.output)).toEqual(['✓ kubectl nsdebug pod/db -c sidecar --ns net']);
  });

  it('Ctrl-C and an abort signal both resolve as cancelled', async () => {
    const stdin = new FakeTtyStdin();
    const io = { stdin: stdin as unknown as NodeJS.ReadStream, stdout: new FakeTtyStdout() as unknown as NodeJS.WriteStream };
    const first = runPicker(plan, io);
    await type(stdin, KEY.ctrlC);
    await expect(first).resolves.toBe('cancelled');
    expect(stdin.rawModes.at(-1)).toBe(false);

    expect(screenAfter((io.stdout as unknown as FakeTtyStdout).output)).toEqual([]);

    const abort = new AbortController();
    const stdout = new FakeTtyStdout();
    const second = runPicker(plan, { stdin: new FakeTtyStdin() as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream, signal: abort.signal });
    await vi.waitFor(() => expect(stdout.plain()).toContain('Pods'));
    abort.abort();
    await expect(second).resolves.toBe('cancelled');
    expect(screenAfter(stdout.output)).toEqual([]);
  });

  it('rejects with the error of failed container data', async () => {
    const failure = new Error('pod default/web not found');
    const stdin = new FakeTtyStdin();
    const done = runPicker(
      { ...plan, container: () => Promise.reject(failure) },
      { stdin: stdin as unknown as NodeJS.ReadStream, stdout: new FakeTtyStdout() as unknown as NodeJS.WriteStream },
    );
    const rejected = expect(done).rejects.toBe(failure);
    await type(stdin, KEY.enter);
    await rejected;
  });
});

describe('keys arriving in one chunk (fast typing, paste, tmux send-keys)', () => {
  it('are split: "j\\r" moves then selects', async () => {
    const onDone = vi.fn<(o: PickerOutcome) => void>();
    const onPodChosen = vi.fn();
    const { stdin } = render(
      <PickerApp
        plan={{ pod: { choose: [pod('web'), pod('db'), pod('dbx')], title: 'Pods' }, container: () => ({ known: { kind: 'sandbox' } }), namespaces: {}, onPodChosen }}
        onDone={onDone}
      />,
    );
    await type(stdin, 'j\r');
    expect(onPodChosen).toHaveBeenCalledWith({ namespace: 'default', name: 'db' });
  });

  it('a pasted filter with enter selects the match', async () => {
    const onPodChosen = vi.fn();
    const { stdin } = render(
      <PickerApp
        plan={{ pod: { choose: [pod('web'), pod('db'), pod('cache')], title: 'Pods' }, container: () => ({ known: { kind: 'sandbox' } }), namespaces: {}, onPodChosen }}
        onDone={() => {}}
      />,
    );
    await type(stdin, '/cac\r');
    expect(onPodChosen).toHaveBeenCalledWith({ namespace: 'default', name: 'cache' });
  });
});
