import type { V1ContainerStatus } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { backoffSeconds, crashLoopOf } from '../../src/kube/crash-backoff.js';

const NOW = new Date('2026-11-29T22:00:30Z');
const base = { name: 'app', image: 'x', imageID: '', ready: false } as const;

describe('backoffSeconds', () => {
  it.each([
    [0, 0],
    [1, 10],
    [2, 20],
    [5, 160],
    [6, 300],
    [50, 300],
  ])('after %i restarts: %i s', (restarts, seconds) => {
    expect(backoffSeconds(restarts)).toBe(seconds);
  });
});

describe('crashLoopOf', () => {
  it('waiting in CrashLoopBackOff: the back-off from the last run end, and the time left', () => {
    const status: V1ContainerStatus = {
      ...base,
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date('2026-11-29T22:00:10Z') } },
    };
    expect(crashLoopOf(status, NOW)).toEqual({
      restartCount: 2,
      running: false,
      backoffSeconds: 20,
      finishedAt: new Date('2026-11-29T22:00:10Z'),
      nextStartAt: new Date('2026-11-29T22:00:30Z'),
      remainingSeconds: 0,
      lastExitCode: 1,
      lastReason: 'Error',
    });
  });

  it('just exited (state terminated, before the kubelet moves to waiting): the back-off after one restart', () => {
    const status: V1ContainerStatus = {
      ...base,
      restartCount: 1,
      state: { terminated: { exitCode: 1, finishedAt: new Date('2026-11-29T22:00:25Z') } },
    };
    expect(crashLoopOf(status, NOW)).toMatchObject({ backoffSeconds: 10, remainingSeconds: 5, lastExitCode: 1 });
  });

  it('overdue: 0 s left (the kubelet starts it at its next sync)', () => {
    const status: V1ContainerStatus = {
      ...base,
      restartCount: 0,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 2, finishedAt: new Date('2026-11-29T21:00:00Z') } },
    };
    expect(crashLoopOf(status, NOW).remainingSeconds).toBe(0);
  });

  it('running (in one of its short lives): no countdown', () => {
    const status: V1ContainerStatus = {
      ...base,
      restartCount: 3,
      state: { running: { startedAt: new Date('2026-11-29T22:00:29Z') } },
      lastState: { terminated: { exitCode: 1, finishedAt: new Date('2026-11-29T22:00:00Z') } },
    };
    expect(crashLoopOf(status, NOW)).toEqual({ restartCount: 3, running: true, backoffSeconds: 40 });
  });

  it('no status yet', () => {
    expect(crashLoopOf(undefined, NOW)).toEqual({ restartCount: 0, running: false, backoffSeconds: 0 });
  });
});
