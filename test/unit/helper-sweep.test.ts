import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { sweepable } from '../../src/helper/sweep.js';

const pod = (name: string, user: string, phase: string, deleting = false): V1Pod => ({
  metadata: { name, annotations: { 'nsdebug.dev/created-by': user }, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
  status: { phase },
});

describe('the sweep of finished helpers', () => {
  it('takes only the user\'s finished helpers, never the one being created or one already going', () => {
    const pods = [
      pod('a', 'alice', 'Succeeded'),
      pod('b', 'alice', 'Failed'),
      pod('c', 'alice', 'Running'),
      pod('d', 'bob', 'Succeeded'),
      pod('e', 'alice', 'Succeeded', true),
      pod('mine', 'alice', 'Succeeded'),
    ];
    expect(sweepable(pods, 'alice', 'mine').map((p) => p.metadata!.name)).toEqual(['a', 'b']);
  });
});
