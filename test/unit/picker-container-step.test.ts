import { describe, expect, it, vi } from 'vitest';

// The bundler inlines the agent as text; here a stand-in does.
vi.mock('../../src/agent/nsdebug-agent.sh', () => ({ default: '#!/bin/sh\n' }));
import { buildContainerStep } from '../../src/cli/commands/debug-picked.js';
import { makePod } from './fixtures-pods.js';

describe('the picker\'s container question', () => {
  const two = [['istio-proxy', 'running'], ['app', 'running']] as Array<[string, 'running']>;

  it('the default-container annotation answers it (as for kubectl exec, logs, attach)', () => {
    const pod = makePod(two, { annotations: { 'kubectl.kubernetes.io/default-container': 'app' } });
    expect(buildContainerStep(pod, { container: undefined, sandbox: false })).toMatchObject({ known: { kind: 'container', name: 'app' } });
  });

  it('asks when nothing decides, or when the annotation names no container of the pod', () => {
    for (const annotations of [{}, { 'kubectl.kubernetes.io/default-container': 'gone' }] as Array<Record<string, string>>) {
      const step = buildContainerStep(makePod(two, { annotations }), { container: undefined, sandbox: false });
      expect('choose' in step).toBe(true);
    }
  });

  it('-c and --sandbox still win over the annotation', () => {
    const pod = makePod(two, { annotations: { 'kubectl.kubernetes.io/default-container': 'app' } });
    expect(buildContainerStep(pod, { container: 'istio-proxy', sandbox: false })).toMatchObject({ known: { name: 'istio-proxy' } });
    expect(buildContainerStep(pod, { container: undefined, sandbox: true })).toMatchObject({ known: { kind: 'sandbox' } });
  });

  it('a container chosen without asking that is not running is still shown: the screen offers to catch it', () => {
    const single = makePod([['app', 'waiting']]);
    single.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 1, reason: 'Error' } };
    expect(buildContainerStep(single, { container: undefined, sandbox: false })).toEqual({
      choose: [{ name: 'app', image: 'img/app:1', state: 'waiting', reason: 'CrashLoopBackOff', restarts: 4, kind: 'container', lastExit: { code: 1, reason: 'Error' }, catchable: true }],
      sandboxNamespaces: ['net', 'uts', 'ipc'],
      initial: 'app',
    });
    const annotated = makePod([['side', 'running'], ['app', 'waiting']], { annotations: { 'kubectl.kubernetes.io/default-container': 'app' } });
    expect(buildContainerStep(annotated, { container: undefined, sandbox: false })).toMatchObject({ choose: [{ name: 'side' }, { name: 'app', catchable: true }], initial: 'app' });
    // -c is an answer: the session falls back to the sandbox as on the command line.
    expect(buildContainerStep(single, { container: 'app', sandbox: false })).toMatchObject({ known: { kind: 'container', name: 'app' } });
  });

  it('restartPolicy decides whether it starts again (what a catch waits for)', () => {
    // A running sidecar keeps the question open, so every row is shown.
    const ended = (policy: string, exitCode: number) => {
      const p = makePod([['app', 'terminated'], ['side', 'running']]);
      p.spec!.restartPolicy = policy;
      p.status!.containerStatuses![0]!.state = { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } };
      return p;
    };
    const catchable = (p: ReturnType<typeof makePod>) => {
      const step = buildContainerStep(p, { container: undefined, sandbox: false });
      return 'choose' in step ? step.choose[0]!.catchable : undefined;
    };
    expect(catchable(ended('Always', 0))).toBe(true);
    expect(catchable(ended('OnFailure', 1))).toBe(true);
    expect(catchable(ended('OnFailure', 0))).toBe(false);
    expect(catchable(ended('Never', 1))).toBe(false);
    expect(catchable(makePod([['app', 'waiting', 'ImagePullBackOff'], ['side', 'running']]))).toBe(true);
    expect(catchable(makePod([['app', 'waiting'], ['side', 'running']], { phase: 'Failed' }))).toBe(false);
    // The only container, not to be caught: no screen, as before (the sandbox fallback).
    const done = makePod([['app', 'terminated']]);
    done.spec!.restartPolicy = 'Never';
    expect(buildContainerStep(done, { container: undefined, sandbox: false })).toMatchObject({ known: { kind: 'container', name: 'app' } });
  });
});
