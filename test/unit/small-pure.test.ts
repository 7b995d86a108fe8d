import { describe, expect, it } from 'vitest';
import { formatError, UserError, CancelledError, exitCodeForSignal } from '../../src/base/errors.js';
import { parseDurationSeconds, formatAge, formatElapsed } from '../../src/base/duration.js';
import { closestNames } from '../../src/base/similar.js';
import { exitOutcomeOf } from '../../src/session/exit-status.js';
import { buildLabelSelector, chooseWorkloadPod } from '../../src/kube/resolve-target.js';
import { describeApiError } from '../../src/kube/api-errors.js';
import { judgeHelperPod } from '../../src/helper/wait-running.js';
import { createProgress } from '../../src/cli/progress.js';
import { assertPodEnterable, assertLinuxNode } from '../../src/kube/pod-checks.js';
import { makePod } from './fixtures-pods.js';

describe('errors', () => {
  it('prints one line with the hint', () => {
    expect(formatError(new UserError('pod "x" not found', { hint: 'did you mean y?' }))).toBe('error: pod "x" not found; did you mean y?');
    expect(formatError(new Error('boom\nat line'))).toMatch(/^error: internal error: boom at line/);
    expect(formatError(new Error('x')).includes('\n')).toBe(false);
  });
  it('exits 128 + signal', () => {
    expect(exitCodeForSignal('SIGINT')).toBe(130);
    expect(exitCodeForSignal('SIGTERM')).toBe(143);
    expect(exitCodeForSignal('SIGHUP')).toBe(129);
    expect(new CancelledError().exitCode).toBe(130);
  });
});

describe('durations', () => {
  it.each([['60s', 60], ['1h', 3600], ['1h30m', 5400], ['500ms', 0.5], ['15', 15]])('%s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });
  it.each(['', 'abc', '5x', '1h oops'])('rejects %j', (text) => expect(parseDurationSeconds(text)).toBeUndefined());
  it('formats', () => {
    expect(formatElapsed(1234)).toBe('1.2s');
    expect(formatElapsed(125_000)).toBe('2m05s');
    expect(formatAge(new Date(0), new Date(3 * 86400_000))).toBe('3d');
  });
});

describe('closestNames', () => {
  it('suggests near misses and substrings', () => {
    expect(closestNames('wbe', ['web', 'db', 'api'])).toEqual(['web']);
    expect(closestNames('web', ['web-7d9f-abcde', 'worker'])).toEqual(['web-7d9f-abcde']);
    expect(closestNames('zzzzzz', ['web'])).toEqual([]);
    // Unique suffixes make every name "close" to a long typo: only the closest are offered.
    expect(closestNames('err-wbe-mx1gu03pcb1a', ['err-web-mx1gu03pcb1a', 'err-done-mx1gu03pdbb8'])).toEqual(['err-web-mx1gu03pcb1a']);
  });
});

describe('exitOutcomeOf', () => {
  it('reads the exec status channel', () => {
    expect(exitOutcomeOf({ status: 'Success' })).toEqual({ kind: 'exit', code: 0 });
    expect(exitOutcomeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } })).toEqual({ kind: 'exit', code: 7 });
    expect(exitOutcomeOf({ status: 'Failure', reason: 'InternalError', message: 'container not found' })).toEqual({ kind: 'error', message: 'container not found' });
  });
});

describe('buildLabelSelector', () => {
  it('joins labels and expressions', () => {
    expect(buildLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'DoesNotExist' }] })).toBe('app=web,tier in (a,b),!x');
  });
});

describe('chooseWorkloadPod', () => {
  it('takes the first Running pod by name and counts the others', () => {
    const a = { ...makePod([['c', 'running']]), metadata: { name: 'web-a' }, status: { phase: 'Pending' } };
    const b = { ...makePod([['c', 'running']]), metadata: { name: 'web-b' } };
    const c = { ...makePod([['c', 'running']]), metadata: { name: 'web-c' } };
    const { pod, note } = chooseWorkloadPod({ kind: 'deployment', name: 'web' }, [a, b, c]);
    expect(pod.metadata?.name).toBe('web-b');
    expect(note).toBe('deployment/web: using pod web-b (the first Running of 3; 2 others: web-a, web-c)');
  });
  it('fails when none runs', () => {
    expect(() => chooseWorkloadPod({ kind: 'job', name: 'j' }, [])).toThrowError(/has no Running pod/);
  });
});

describe('describeApiError', () => {
  const server = 'https://127.0.0.1:6443';
  it('diagnoses PodSecurity and suggests --helper-namespace', () => {
    const error = describeApiError(
      { code: 403, body: JSON.stringify({ message: 'pods "nsdebug-x" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)', reason: 'Forbidden' }) },
      { verb: 'create', resource: 'pods', namespace: 'team' },
      server,
    ) as UserError;
    expect(error.message).toBe('PodSecurity admission in namespace "team" (baseline:latest) rejects the privileged helper pod');
    expect(error.hint).toContain('--helper-namespace');
  });
  it('names the verb and resource RBAC forbids', () => {
    const error = describeApiError({ code: 403, body: { message: 'pods is forbidden: User "bob" cannot create resource "pods"' } }, { verb: 'create', resource: 'pods', namespace: 'team' }, server) as UserError;
    expect(error.message).toMatch(/^RBAC forbids create pods in namespace "team"/);
  });
  it('turns connection refused into "cannot reach"', () => {
    const error = describeApiError(Object.assign(new Error('request failed, reason: connect ECONNREFUSED 127.0.0.1:6443'), { name: 'FetchError' }), { verb: 'get', resource: 'pods' }, server);
    expect(error.message).toBe('cannot reach the API server at https://127.0.0.1:6443 (ECONNREFUSED)');
  });
});

describe('judgeHelperPod', () => {
  it('is running only when the container runs', () => {
    expect(judgeHelperPod({ status: { phase: 'Running', containerStatuses: [{ name: 'n', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] } }).kind).toBe('running');
    expect(judgeHelperPod({ status: { phase: 'Pending' } }).kind).toBe('pending');
  });
  it('fails fast on an image that cannot be pulled', () => {
    const verdict = judgeHelperPod({ status: { phase: 'Pending', containerStatuses: [{ name: 'n', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImageNeverPull', message: 'Container image "x" is not present with pull policy of Never' } } }] } });
    expect(verdict).toEqual({ kind: 'failed', message: 'the helper container cannot start: ErrImageNeverPull: Container image "x" is not present with pull policy of Never' });
  });
});

describe('progress', () => {
  const recorder = () => {
    const calls: string[] = [];
    const reporter = {
      phase: (name: string, detail?: string) => void calls.push(`phase ${name}${detail ? ` ${detail}` : ''}`),
      event: (message: string) => void calls.push(`event ${message}`),
      note: (message: string) => void calls.push(`note ${message}`),
      done: async () => void calls.push('done'),
      fail: async (message: string) => void calls.push(`fail ${message}`),
    };
    const lines: string[] = [];
    const stream = { write: (text: string) => lines.push(text) } as unknown as NodeJS.WritableStream;
    return { calls, lines, reporter, stream };
  };

  it('prints notes as lines until the first phase, then hands everything to the reporter', async () => {
    const { calls, lines, reporter, stream } = recorder();
    const progress = createProgress({ stream, quiet: false, createReporter: async () => reporter });
    progress.note('using pod web-1');
    progress.phase('creating', 'helper x');
    progress.event('Pulled');
    progress.warn('sandbox instead');
    await progress.done();
    expect(lines).toEqual(['nsdebug: using pod web-1\n']);
    expect(calls).toEqual(['phase creating helper x', 'event Pulled', 'note warning: sandbox instead', 'done']);
  });

  it('after done, notes and warnings (the --keep note) are plain lines, not lost in an ended display', async () => {
    const { calls, lines, reporter, stream } = recorder();
    const progress = createProgress({ stream, quiet: false, createReporter: async () => reporter });
    progress.phase('entering');
    await progress.done();
    progress.phase('creating');
    progress.note('kept helper pod x');
    progress.warn('late');
    expect(calls).toEqual(['phase entering', 'done']);
    expect(lines).toEqual(['nsdebug: kept helper pod x\n', 'nsdebug: warning: late\n']);
  });

  it('holds everything while the picker shows, and prints warnings even when quiet', async () => {
    const { calls, lines, reporter, stream } = recorder();
    const progress = createProgress({ stream, quiet: true, createReporter: async () => reporter });
    progress.hold();
    progress.note('hidden by -q');
    progress.warn('fallback');
    expect(lines).toEqual([]);
    progress.release();
    await progress.done();
    expect(lines).toEqual(['nsdebug: warning: fallback\n']);
    expect(calls).toEqual([]);
  });
});

describe('pod checks', () => {
  it('refuses finished and unscheduled pods with what to do next', () => {
    expect(() => assertPodEnterable(makePod([['a', 'terminated']], { phase: 'Succeeded' }))).toThrowError(/has finished \(Succeeded\)/);
    expect(() => assertPodEnterable(makePod([['a', 'waiting']], { phase: 'Pending', nodeName: null }))).toThrowError(/is not scheduled to a node yet/);
    expect(() => assertPodEnterable(makePod([['a', 'running']]))).not.toThrow();
  });
  it('refuses Windows nodes', () => {
    expect(() => assertLinuxNode({ metadata: { name: 'win1' }, status: { nodeInfo: { operatingSystem: 'windows' } as never } })).toThrowError(/runs Windows/);
    expect(() => assertLinuxNode({ metadata: { name: 'lin' }, status: { nodeInfo: { operatingSystem: 'linux' } as never } })).not.toThrow();
  });
});
