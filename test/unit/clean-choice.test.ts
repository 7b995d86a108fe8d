import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { chooseHelpersToClean, isNsdebugHelper } from '../../src/helper/helper-list.js';

function pod(name: string, phase: string, createdBy?: string, label = 'kubectl-nsdebug'): V1Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { 'app.kubernetes.io/managed-by': label },
      ...(createdBy === undefined ? {} : { annotations: { 'nsdebug.dev/target': 'pod/default/web', 'nsdebug.dev/node': 'n1', 'nsdebug.dev/created-by': createdBy } }),
    },
    status: { phase },
  };
}

const pods = [
  pod('impostor', 'Running'),
  pod('impostor-done', 'Succeeded'),
  pod('other-label', 'Succeeded', 'alice', 'someone-else'),
  pod('alice-done', 'Succeeded', 'alice'),
  pod('alice-failed', 'Failed', 'alice'),
  pod('alice-live', 'Running', 'alice'),
  pod('bob-done', 'Succeeded', 'bob'),
  pod('bob-live', 'Running', 'bob'),
];
const names = (list: readonly V1Pod[]) => list.map((p) => p.metadata!.name);

describe('isNsdebugHelper', () => {
  it('needs the label and the annotations', () => {
    expect(pods.filter(isNsdebugHelper).map((p) => p.metadata!.name)).toEqual(['alice-done', 'alice-failed', 'alice-live', 'bob-done', 'bob-live']);
  });
});

describe('chooseHelpersToClean', () => {
  it('by default: the user\'s finished helpers only', () => {
    const c = chooseHelpersToClean(pods, { user: 'alice', all: false, anyUser: false });
    expect(names(c.finished)).toEqual(['alice-done', 'alice-failed']);
    expect(c.running).toEqual([]);
    expect({ keptRunning: c.keptRunning, otherUsers: c.otherUsers, notOurs: c.notOurs }).toEqual({ keptRunning: 1, otherUsers: 2, notOurs: 3 });
  });
  it('--all adds the user\'s running helpers', () => {
    const c = chooseHelpersToClean(pods, { user: 'alice', all: true, anyUser: false });
    expect(names(c.running)).toEqual(['alice-live']);
    expect(c.keptRunning).toBe(0);
  });
  it('--any-user adds other users\' helpers, never a pod that is not ours', () => {
    const c = chooseHelpersToClean(pods, { user: 'alice', all: true, anyUser: true });
    expect(names(c.finished)).toEqual(['alice-done', 'alice-failed', 'bob-done']);
    expect(names(c.running)).toEqual(['alice-live', 'bob-live']);
    expect(c.notOurs).toBe(3);
  });
});
