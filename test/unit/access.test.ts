// The access pre-check: one rules review grants what it plainly allows; only the
// rest is asked one by one, and a rules review is never taken as a refusal.
import { describe, expect, it } from 'vitest';
import type { Kube } from '../../src/kube/client.js';
import { assertAllowed, buildHelperAccessChecks, buildRecordAccessCheck, reviewAccess, ruleGrants } from '../../src/kube/access.js';

const exec = { verb: 'get', resource: 'pods', subresource: 'exec', namespace: 'ns' };
const create = { verb: 'create', resource: 'pods', namespace: 'ns' };

describe('ruleGrants', () => {
  it.each([
    [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, exec, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods/exec'] }, exec, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }, exec, true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, exec, false], // pods does not cover pods/exec
    [{ verbs: ['create'], apiGroups: [''], resources: ['pods'] }, exec, false], // another verb
    [{ verbs: ['get'], apiGroups: ['apps'], resources: ['pods/exec'] }, exec, false], // another group
    [{ verbs: ['create'], apiGroups: [''], resources: ['pods'], resourceNames: ['one'] }, create, false], // bound to a name
    [{ verbs: ['create'], resources: ['pods'] }, create, false], // no group listed
  ])('%j grants %j: %s', (rule, check, granted) => {
    expect(ruleGrants(rule, check)).toBe(granted);
  });
});

/** A Kube that lists `rules` in every namespace and answers access reviews from `allowed`, counting requests. */
function fakeKube(rules: object[] | 'fails', allowed: (verb: string, resource: string) => boolean) {
  const requests: string[] = [];
  const kube = {
    authz: {
      async createSelfSubjectRulesReview({ body }: { body: { spec: { namespace: string } } }) {
        requests.push(`rules ${body.spec.namespace}`);
        if (rules === 'fails') throw new Error('404');
        return { status: { resourceRules: rules, incomplete: false } };
      },
      async createSelfSubjectAccessReview({ body }: { body: { spec: { resourceAttributes: { verb: string; resource: string; subresource?: string } } } }) {
        const a = body.spec.resourceAttributes;
        const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
        requests.push(`access ${a.verb} ${resource}`);
        return { status: { allowed: allowed(a.verb, resource) } };
      },
    },
  } as unknown as Kube;
  return { kube, requests };
}

describe('reviewAccess', () => {
  const checks = [...buildHelperAccessChecks('ns'), buildRecordAccessCheck('ns')];

  it('a user who may do everything: one rules review answers all seven checks', async () => {
    const { kube, requests } = fakeKube([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], () => false);
    expect(await reviewAccess(kube, checks)).toEqual(checks.map(() => true));
    expect(requests).toEqual(['rules ns']);
  });

  it('what the rules do not grant is asked one by one, and the access review decides (a rules review never refuses)', async () => {
    const { kube, requests } = fakeKube([{ verbs: ['get', 'list', 'watch', 'create', 'delete'], apiGroups: [''], resources: ['pods'] }], (verb) => verb === 'create');
    const answers = await reviewAccess(kube, checks);
    expect(answers).toEqual([true, true, true, true, false, true, true]);
    expect(requests).toEqual(['rules ns', 'access create pods/exec', 'access get pods/exec', 'access create events']);
    expect(() => assertAllowed(buildHelperAccessChecks('ns'), answers)).toThrowError(/^RBAC forbids "get" on "pods\/exec" in namespace "ns", which the helper pod needs$/);
  });

  it('a rules review that fails (an older or restricted server): every check gets its own access review', async () => {
    const { kube, requests } = fakeKube('fails', () => true);
    expect(await reviewAccess(kube, checks)).toEqual(checks.map(() => true));
    expect(requests.filter((r) => r.startsWith('access'))).toHaveLength(checks.length);
  });

  it('one rules review per namespace', async () => {
    const { kube, requests } = fakeKube([{ verbs: ['*'], apiGroups: [''], resources: ['*'] }], () => false);
    await reviewAccess(kube, [...buildHelperAccessChecks('helpers'), buildRecordAccessCheck('apps')]);
    expect(requests.sort()).toEqual(['rules apps', 'rules helpers']);
  });
});
