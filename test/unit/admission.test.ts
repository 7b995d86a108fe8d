// Admission refusals as this cluster's API server (1.34) words them, captured by
// creating a privileged hostPID pod (dry run) under each kind of refusal.
import { describe, expect, it } from 'vitest';
import { failureSummary, formatError } from '../../src/base/errors.js';
import { classifyRefusal } from '../../src/kube/admission.js';
import { describeApiError, refusalOf } from '../../src/kube/api-errors.js';

/** The ApiException shape client-node throws: the HTTP code, the Status body as text. */
function apiError(code: number, message: string, reason: string): unknown {
  return { code, body: `${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code })}\n` };
}

const CAPTURED = {
  rbac: [403, 'pods is forbidden: User "system:serviceaccount:team:reader" cannot create resource "pods" in API group "" in the namespace "team"', 'Forbidden'],
  podSecurity: [403, 'pods "nsdebug-web-x" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), privileged (container "nsdebug" must not set securityContext.privileged=true)', 'Forbidden'],
  quotaLimits: [403, 'pods "nsdebug-cap-x" is forbidden: failed quota: q: must specify limits.cpu for: nsdebug; limits.memory for: nsdebug', 'Forbidden'],
  quotaAll: [403, 'pods "nsdebug-cap-x" is forbidden: failed quota: compute: must specify limits.cpu for: nsdebug; limits.memory for: nsdebug; requests.cpu for: nsdebug; requests.memory for: nsdebug', 'Forbidden'],
  quotaExceeded: [403, 'pods "nsdebug-cap-x" is forbidden: exceeded quota: tiny, requested: limits.memory=64Mi, used: limits.memory=0, limited: limits.memory=10Mi', 'Forbidden'],
  limitRatio: [403, 'pods "nsdebug-cap-x" is forbidden: cpu max limit to request ratio per Container is 2, but no request is specified or request is 0', 'Forbidden'],
  limitBounds: [403, 'pods "nsdebug-cap-x" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, maximum memory usage per Container is 16Mi, but limit is 64Mi]', 'Forbidden'],
  policyMessage: [422, 'pods "nsdebug-cap-x" is forbidden: ValidatingAdmissionPolicy \'realns-cap-deny-hostpid\' with binding \'realns-cap-deny-hostpid-binding\' denied request: hostPID pods are not allowed here', 'Invalid'],
  policyExpression: [403, 'pods "nsdebug-cap-x" is forbidden: ValidatingAdmissionPolicy \'realns-cap-deny-hostpid2\' with binding \'realns-cap-deny-hostpid2-binding\' denied request: failed expression: !has(object.spec.hostPID) || !object.spec.hostPID', 'Forbidden'],
  webhookDown: [500, 'Internal error occurred: failed calling webhook "deny.realns-cap.nsdebug.dev": failed to call webhook: Post "https://127.0.0.1:1/validate?timeout=2s": dial tcp 127.0.0.1:1: connect: connection refused', 'InternalError'],
  // A webhook that answers allowed=false with its own code and message (no reason in the Status).
  webhookDenied: [403, 'admission webhook "deny.realns-cap2.nsdebug.dev" denied the request: hostPID pods are blocked by policy disallow-host-namespaces', ''],
} as const;

const create = { verb: 'create', resource: 'pods', namespace: 'team' };
const captured = (key: keyof typeof CAPTURED): unknown => {
  const [code, message, reason] = CAPTURED[key];
  return apiError(code, message, reason);
};
const line = (key: keyof typeof CAPTURED) => formatError(describeApiError(captured(key), create, 'https://k:6443'));

describe('classifyRefusal', () => {
  it('reads what refused from each captured message', () => {
    expect(classifyRefusal(CAPTURED.rbac[1])).toEqual({ kind: 'rbac' });
    expect(classifyRefusal(CAPTURED.quotaAll[1])).toEqual({ kind: 'quota-unset', quota: 'compute', resources: ['limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'] });
    expect(classifyRefusal(CAPTURED.quotaExceeded[1])).toMatchObject({ kind: 'quota-exceeded', quota: 'tiny' });
    expect(classifyRefusal(CAPTURED.limitRatio[1])).toMatchObject({ kind: 'limit-range', resources: ['cpu'] });
    expect(classifyRefusal(CAPTURED.limitBounds[1])).toMatchObject({ kind: 'limit-range', resources: ['cpu', 'memory'] });
    expect(classifyRefusal(CAPTURED.policyExpression[1])).toMatchObject({ kind: 'policy', policy: 'realns-cap-deny-hostpid2', binding: 'realns-cap-deny-hostpid2-binding' });
    expect(classifyRefusal(CAPTURED.webhookDown[1])).toMatchObject({ kind: 'webhook', webhook: 'deny.realns-cap.nsdebug.dev', unreachable: true });
    expect(classifyRefusal(CAPTURED.webhookDenied[1])).toMatchObject({ kind: 'webhook', webhook: 'deny.realns-cap2.nsdebug.dev', unreachable: false });
    expect(classifyRefusal('pods "x" is forbidden: something new')).toBeUndefined();
  });
});

describe('describeApiError on admission refusals', () => {
  it('RBAC advice only for RBAC', () => {
    expect(line('rbac')).toMatch(/^error: RBAC forbids create pods in namespace "team": .*; ask a cluster admin for "create" on "pods"/);
    for (const key of Object.keys(CAPTURED).filter((k) => k !== 'rbac') as Array<keyof typeof CAPTURED>) {
      expect(line(key)).not.toMatch(/RBAC|cluster admin|request-timeout/);
    }
  });

  it('a quota that wants limits names the quota and the flags', () => {
    expect(line('quotaLimits')).toBe('error: ResourceQuota "q" in namespace "team" requires the helper pod to set limits.cpu, limits.memory; give them with --helper-requests/--helper-limits (for example --helper-limits cpu=100m,memory=64Mi), or use --helper-namespace NS for a namespace it does not cover');
    expect(line('quotaExceeded')).toMatch(/^error: ResourceQuota "tiny" in namespace "team" has no room for the helper pod \(requested: limits.memory=64Mi, used: limits.memory=0, limited: limits.memory=10Mi\); lower --helper-requests\/--helper-limits/);
  });

  it('a LimitRange names its bounds and how to see them', () => {
    expect(line('limitBounds')).toMatch(/^error: a LimitRange in namespace "team" refuses the resources of the helper pod: minimum cpu usage per Container is 50m, but request is 10m, maximum memory .*; set --helper-requests\/--helper-limits within its bounds \(kubectl describe limitrange -n team\)/);
  });

  it('a policy or webhook is named, with --helper-namespace as the way out', () => {
    expect(line('policyMessage')).toBe('error: ValidatingAdmissionPolicy "realns-cap-deny-hostpid" (binding "realns-cap-deny-hostpid-binding") denies the helper pod in namespace "team": hostPID pods are not allowed here; run the helper where "realns-cap-deny-hostpid" does not apply with --helper-namespace NS, or ask its owner for an exception');
    expect(line('policyExpression')).toMatch(/ValidatingAdmissionPolicy "realns-cap-deny-hostpid2" .* failed expression: .*--helper-namespace NS/);
    expect(line('webhookDenied')).toBe('error: admission webhook "deny.realns-cap2.nsdebug.dev" denies the helper pod in namespace "team": hostPID pods are blocked by policy disallow-host-namespaces; run the helper where "deny.realns-cap2.nsdebug.dev" does not apply with --helper-namespace NS, or ask its owner for an exception');
    expect(line('webhookDown')).toMatch(/^error: admission webhook "deny.realns-cap.nsdebug.dev" could not be called .*connection refused; its service is down/);
    expect(line('podSecurity')).toMatch(/^error: PodSecurity admission in namespace "team" \(baseline:latest\) rejects the privileged helper pod; .*--helper-namespace/);
  });

  it('keeps what refused for the caller, and a 403 of unknown shape gets no RBAC advice', () => {
    expect(refusalOf(describeApiError(captured('quotaLimits'), create, 's'))).toMatchObject({ kind: 'quota-unset', quota: 'q' });
    expect(refusalOf(describeApiError(captured('rbac'), create, 's'))).toBeUndefined();
    expect(failureSummary(describeApiError(captured('policyMessage'), create, 's'))).toBe('refused by ValidatingAdmissionPolicy "realns-cap-deny-hostpid"');
    expect(failureSummary(describeApiError(captured('quotaLimits'), create, 's'))).toBe('refused by ResourceQuota "q"');
    expect(failureSummary(new Error('boom: details'))).toBe('boom');
    expect(formatError(describeApiError(apiError(403, 'pods "x" is forbidden: no', 'Forbidden'), create, 's'))).toBe('error: the API server refused to create pods in namespace "team" (403 Forbidden): pods "x" is forbidden: no; an admission step refused it (see its message); --helper-namespace NS may avoid it');
  });
});
