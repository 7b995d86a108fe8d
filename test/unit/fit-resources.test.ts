// createHelperFitted: one create when nothing is demanded; on a quota's or
// LimitRange's refusal (and no values given), one more create with the fit.
import { describe, expect, it } from 'vitest';
import type { V1LimitRange, V1Pod } from '@kubernetes/client-node';
import type { Progress } from '../../src/base/progress.js';
import type { Kube } from '../../src/kube/client.js';
import { createHelperFitted } from '../../src/helper/fit-resources.js';

const QUOTA = 'pods "nsdebug-web-x" is forbidden: failed quota: q: must specify limits.cpu for: nsdebug; limits.memory for: nsdebug';
const POLICY = 'pods "nsdebug-web-x" is forbidden: ValidatingAdmissionPolicy \'deny\' with binding \'deny\' denied request: no';

function fake(refusal: string | undefined, limitRanges: V1LimitRange[] = []) {
  const journal: string[] = [];
  const notes: string[] = [];
  const kube = {
    core: {
      async createNamespacedPod({ body }: { body: V1Pod }) {
        const resources = body.spec!.containers[0]!.resources;
        journal.push(`create ${JSON.stringify(resources ?? {})}`);
        if (refusal && !resources) throw { code: 403, body: JSON.stringify({ kind: 'Status', message: refusal, reason: 'Forbidden', code: 403 }) };
        return body;
      },
      async listNamespacedLimitRange({ namespace }: { namespace: string }) {
        journal.push(`list limitranges ${namespace}`);
        return { items: limitRanges };
      },
    },
    server: 'https://fake:6443',
    requestTimeoutMs: 0,
  } as unknown as Kube;
  const progress = { note: (message: string) => notes.push(message) } as unknown as Progress;
  return { kube, progress, journal, notes };
}

const pod: V1Pod = { metadata: { name: 'nsdebug-web-x', namespace: 'team' }, spec: { containers: [{ name: 'nsdebug', image: 'busybox' }] } };

describe('createHelperFitted', () => {
  it('the common case: one create, nothing read, nothing said', async () => {
    const t = fake(undefined);
    await createHelperFitted(t.kube, pod, t.progress, false);
    expect(t.journal).toEqual(['create {}']);
    expect(t.notes).toEqual([]);
  });

  it('a quota that wants limits: reads the LimitRanges, creates once more with the fit, says so once', async () => {
    const t = fake(QUOTA, [{ spec: { limits: [{ type: 'Container', min: { memory: '128Mi' } }] } }]);
    const created = await createHelperFitted(t.kube, pod, t.progress, false);
    expect(t.journal).toEqual(['create {}', 'list limitranges team', 'create {"limits":{"cpu":"100m","memory":"128Mi"}}']);
    expect(created.spec!.containers[0]!.resources).toEqual({ limits: { cpu: '100m', memory: '128Mi' } });
    expect(t.notes).toEqual(['ResourceQuota "q" in namespace "team" demands resource values: the helper gets limits cpu=100m,memory=128Mi (choose them with --helper-requests/--helper-limits)']);
  });

  it('values the user gave are not second-guessed; a policy refusal is not retried', async () => {
    const explicit = fake(QUOTA);
    await expect(createHelperFitted(explicit.kube, pod, explicit.progress, true)).rejects.toThrow(/^ResourceQuota "q" in namespace "team" requires the helper pod to set limits.cpu, limits.memory$/);
    expect(explicit.journal).toEqual(['create {}']);
    const policy = fake(POLICY);
    await expect(createHelperFitted(policy.kube, pod, policy.progress, false)).rejects.toThrow(/ValidatingAdmissionPolicy "deny"/);
    expect(policy.journal).toEqual(['create {}']);
  });
});
