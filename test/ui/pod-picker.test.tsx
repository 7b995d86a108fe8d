import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { PodPicker } from '../../src/ui/pod-picker.js';
import type { PodRow } from '../../src/ui/types.js';
import { KEY, pod, tick, type } from './helpers.js';

afterEach(() => cleanup());

const pods: PodRow[] = [
  pod('web-7d9f', { ready: '2/2', node: 'kind-worker' }),
  pod('crashy', { ready: '0/1', status: 'CrashLoopBackOff', restarts: 12 }),
  pod('db-0', { namespace: 'data', age: '3d' }),
  pod('kube-proxy-x', { namespace: 'kube-system' }),
];

function setup(props: Partial<Parameters<typeof PodPicker>[0]> = {}) {
  const onSelect = vi.fn();
  const onCancel = vi.fn();
  const r = render(<PodPicker pods={pods} title="Pods" onSelect={onSelect} onCancel={onCancel} {...props} />);
  return { ...r, onSelect, onCancel };
}

describe('PodPicker', () => {
  it('lists pods with ready, status, restarts, node and age', () => {
    const { lastFrame } = setup();
    expect(lastFrame()).toMatchInlineSnapshot(`
      "Pods
      type to filter · ↑↓/jk move · enter select · esc/q cancel
        NAME          READY  STATUS            RESTARTS  NODE         AGE
      › web-7d9f      2/2    Running           0         kind-worker  5m
        crashy        0/1    CrashLoopBackOff  12        node-1       5m
        db-0          1/1    Running           0         node-1       3d
        kube-proxy-x  1/1    Running           0         node-1       5m
      1–4 of 4"
    `);
  });

  it('moves with arrows and j/k and selects with enter', async () => {
    const { stdin, onSelect } = setup();
    await type(stdin, KEY.down, 'j', 'k', KEY.down, KEY.enter);
    expect(onSelect).toHaveBeenCalledWith(pods[2]);
  });

  it('typing a letter filters; j and q are then part of the filter', async () => {
    const { stdin, lastFrame, onSelect, onCancel } = setup({ pods: [...pods, pod('jq-runner')] });
    await type(stdin, 'c', 'r');
    expect(lastFrame()).toContain('/ cr');
    expect(lastFrame()).toContain('crashy');
    expect(lastFrame()).not.toContain('web-7d9f');
    await type(stdin, KEY.backspace, KEY.backspace, 'j', 'q');
    expect(lastFrame()).toContain('jq-runner');
    expect(lastFrame()).toContain('1–1 of 1 (filtered from 5)');
    expect(onCancel).not.toHaveBeenCalled();
    await type(stdin, KEY.enter);
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ name: 'jq-runner' }));
  });

  it('/ starts an empty filter; Esc clears it, a second Esc cancels', async () => {
    const { stdin, lastFrame, onCancel } = setup();
    await type(stdin, '/', 'k', 'u', 'b', 'e');
    expect(lastFrame()).toContain('kube-proxy-x');
    expect(lastFrame()).not.toContain('db-0');
    await type(stdin, KEY.escape);
    expect(lastFrame()).toContain('db-0');
    expect(onCancel).not.toHaveBeenCalled();
    await type(stdin, KEY.escape);
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('q cancels when not filtering, and so does ctrl-c', async () => {
    const a = setup();
    await type(a.stdin, 'q');
    expect(a.onCancel).toHaveBeenCalledTimes(1);
    const b = setup();
    await type(b.stdin, KEY.ctrlC);
    expect(b.onCancel).toHaveBeenCalledTimes(1);
  });

  it('shows loading and empty matches without selecting anything', async () => {
    expect(setup({ pods: undefined }).lastFrame()).toContain('loading pods…');
    const { stdin, lastFrame, onSelect } = setup();
    await type(stdin, 'z', 'z', 'z', KEY.enter);
    expect(lastFrame()).toContain('no pod matches "zzz"');
    expect(onSelect).not.toHaveBeenCalled();
  });

  it('pages 5,000 pods: draws only the window, fast, and scrolls with the cursor', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => pod(`pod-${String(i).padStart(4, '0')}`));
    const started = performance.now();
    const { lastFrame, stdin, onSelect } = setup({ pods: many, height: 10 });
    const firstFrameMs = performance.now() - started;
    const frame = lastFrame() ?? '';
    expect(frame.split('\n').filter((l) => /pod-\d{4}/.test(l))).toHaveLength(10);
    expect(frame).toContain('1–10 of 5000');
    expect(firstFrameMs).toBeLessThan(1000);
    await type(stdin, KEY.pageDown, KEY.pageDown, KEY.down);
    expect(lastFrame()).toContain('› pod-0021');
    expect(lastFrame()).toContain('13–22 of 5000');
    // Filtering 5,000 rows per keystroke stays quick too.
    const t = performance.now();
    await type(stdin, '/', '4', '9', '9');
    expect(performance.now() - t).toBeLessThan(1000);
    expect(lastFrame()).toContain('1–10 of 15 (filtered from 5000)');
    await type(stdin, KEY.down, KEY.enter);
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ name: 'pod-1499' }));
    await tick();
  });

  describe('the "all pods" row (a workload\'s pods)', () => {
    it('comes after the pods, is chosen with enter, and hides while a filter is typed', async () => {
      const onAll = vi.fn();
      const { stdin, lastFrame, onSelect } = setup({ allPods: { onSelect: onAll } });
      expect(lastFrame()).toContain('  all pods (4)  run the command in each of them (--all-pods)\n1–4 of 4');
      await type(stdin, 'w');
      expect(lastFrame()).not.toContain('all pods');
      await type(stdin, KEY.escape, 'j', 'j', 'j', 'j');
      expect(lastFrame()).toContain('› all pods (4)');
      await type(stdin, 'j', KEY.enter);
      expect(onAll).toHaveBeenCalledTimes(1);
      expect(onSelect).not.toHaveBeenCalled();
    });

    it('scrolls into view like a pod row when the list is longer than the window', async () => {
      const onAll = vi.fn();
      const { stdin, lastFrame } = setup({ allPods: { onSelect: onAll }, height: 2 });
      expect(lastFrame()).not.toContain('all pods');
      await type(stdin, '\u001B[F'); // End
      expect(lastFrame()).toContain('› all pods (4)');
      expect(lastFrame()!.split('\n').filter((l) => /kube-proxy-x|all pods/.test(l))).toHaveLength(2);
      await type(stdin, KEY.enter);
      expect(onAll).toHaveBeenCalledTimes(1);
    });

    it('without a COMMAND it is only a line saying what it needs', async () => {
      const { stdin, lastFrame, onSelect } = setup({ allPods: { hint: 'all pods: give a COMMAND after -- to run it in every pod' } });
      expect(lastFrame()).toContain('1–4 of 4\nall pods: give a COMMAND after -- to run it in every pod');
      await type(stdin, 'j', 'j', 'j', 'j', KEY.enter);
      expect(onSelect).toHaveBeenCalledWith(pods[3]);
    });
  });
});
