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
});
