import { describe, expect, it } from 'vitest';
import { parseTargetRef } from '../../src/kube/target-ref.js';
import { UserError } from '../../src/base/errors.js';

describe('parseTargetRef', () => {
  it.each([
    ['web', { kind: 'pod', name: 'web' }],
    ['pod/web', { kind: 'pod', name: 'web' }],
    ['po/web', { kind: 'pod', name: 'web' }],
    ['deploy/api', { kind: 'deployment', name: 'api' }],
    ['deployment.apps/api', { kind: 'deployment', name: 'api' }],
    ['sts/db', { kind: 'statefulset', name: 'db' }],
    ['ds/agent', { kind: 'daemonset', name: 'agent' }],
    ['rs/api-5d9', { kind: 'replicaset', name: 'api-5d9' }],
    ['job/migrate', { kind: 'job', name: 'migrate' }],
    ['node/worker-1.example', { kind: 'node', name: 'worker-1.example' }],
  ])('%s', (text, expected) => {
    expect(parseTargetRef(text)).toEqual(expected);
  });

  it('rejects an unknown kind with the list of kinds', () => {
    expect(() => parseTargetRef('svc/web')).toThrowError(/unknown target type "svc"/);
    try {
      parseTargetRef('svc/web');
    } catch (error) {
      expect((error as UserError).hint).toContain('deployment/NAME');
    }
  });

  it.each(['pod/', 'Web', 'pod/we b', 'pod/-web', 'pod/$(reboot)'])('rejects the invalid name %s', (text) => {
    expect(() => parseTargetRef(text)).toThrowError(UserError);
  });
});
