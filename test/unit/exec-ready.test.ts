import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/base/errors.js';
import { isContainerNotStartedYet, retryWhileNotStarted } from '../../src/helper/exec-ready.js';
import { describeApiError } from '../../src/kube/api-errors.js';

// The API server's answer to an exec sent before the kubelet lists the container, as ws
// (through session/exec-socket.ts) and describeApiError pass it on.
const notFoundBody = JSON.stringify({ kind: 'Status', status: 'Failure', message: 'unable to upgrade connection: container not found ("nsdebug")', reason: 'InternalError', code: 500 });
const notStarted = () => describeApiError({ code: 500, body: notFoundBody }, { verb: 'create', resource: 'pods/exec', namespace: 'ns', name: 'h' }, 'https://x');

describe('isContainerNotStartedYet', () => {
  it('recognises the kubelet\'s "container not found" for the helper container, wrapped or not', () => {
    expect(isContainerNotStartedYet(notStarted())).toBe(true);
    expect(isContainerNotStartedYet({ code: 500, body: notFoundBody })).toBe(true);
  });

  it('does not retry other failures: another container, a 403, a dead pod, a network error', () => {
    expect(isContainerNotStartedYet(new Error('unable to upgrade connection: container not found ("main")'))).toBe(false);
    expect(isContainerNotStartedYet(describeApiError({ code: 403, body: { message: 'forbidden' } }, { verb: 'create', resource: 'pods/exec' }, 's'))).toBe(false);
    expect(isContainerNotStartedYet(new UserError('the exec into the helper failed: cannot exec in a stopped state', { hint: 'retry' }))).toBe(false);
    expect(isContainerNotStartedYet(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});

describe('retryWhileNotStarted', () => {
  it('retries while the container is not found, then returns the exec\'s result', async () => {
    let calls = 0;
    const result = await retryWhileNotStarted(async () => {
      calls++;
      if (calls < 3) throw notStarted();
      return 7;
    }, { delaysMs: [1, 1, 1] });
    expect(result).toBe(7);
    expect(calls).toBe(3);
  });

  it('is bounded: after the last delay the error is the kubelet\'s', async () => {
    let calls = 0;
    await expect(retryWhileNotStarted(async () => {
      calls++;
      throw notStarted();
    }, { delaysMs: [1, 1] })).rejects.toThrow(/container not found/);
    expect(calls).toBe(3);
  });

  it('fails at once on any other error', async () => {
    let calls = 0;
    await expect(retryWhileNotStarted(async () => {
      calls++;
      throw new Error('boom');
    }, { delaysMs: [1, 1] })).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('stops when the helper is released', async () => {
    const stop = new AbortController();
    stop.abort(new Error('released'));
    await expect(retryWhileNotStarted(async () => {
      throw notStarted();
    }, { signal: stop.signal, delaysMs: [1] })).rejects.toThrow('released');
  });
});
