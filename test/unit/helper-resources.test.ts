// The helper's resources and pull secrets: flag syntax, the fit a quota or LimitRange
// demands, and what lands in the pod.
import { describe, expect, it } from 'vitest';
import type { V1LimitRange } from '@kubernetes/client-node';
import { formatError } from '../../src/base/errors.js';
import { parseQuantity, parseResourceFlag } from '../../src/base/resources.js';
import { classifyRefusal } from '../../src/kube/admission.js';
import { describeFit, fitHelperResources, withHelperResources } from '../../src/helper/fit-resources.js';
import { validateHelperResources, validatePullSecrets } from '../../src/cli/helper-resource-options.js';
import { buildHelperPod } from '../../src/helper/spec.js';
import { helperStartHint } from '../../src/helper/pull-hint.js';
import { buildCli } from '../../src/cli/cli.js';
import type { RawDebugArgs } from '../../src/cli/debug-options.js';
import { buildHelperPrivileges } from '../../src/helper/privileges.js';

const errorOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return formatError(error);
  }
  return 'no error';
};

describe('--helper-requests / --helper-limits', () => {
  it('parses NAME=QUANTITY lists', () => {
    expect(parseResourceFlag('helper-limits', 'cpu=100m,memory=64Mi')).toEqual({ cpu: '100m', memory: '64Mi' });
    expect(parseResourceFlag('helper-limits', ' cpu=0.5 , ephemeral-storage=1Gi')).toEqual({ cpu: '0.5', 'ephemeral-storage': '1Gi' });
    expect(validateHelperResources(undefined, undefined)).toBeUndefined();
    expect(validateHelperResources('cpu=50m', 'cpu=100m,memory=1e8')).toEqual({ requests: { cpu: '50m' }, limits: { cpu: '100m', memory: '1e8' } });
  });

  it('one-line errors name the flag and the fix', () => {
    expect(errorOf(() => parseResourceFlag('helper-limits', 'cpu'))).toBe('error: --helper-limits "cpu" is not a list of NAME=QUANTITY; for example --helper-limits cpu=100m,memory=64Mi');
    expect(errorOf(() => parseResourceFlag('helper-requests', 'gpu=1'))).toBe('error: --helper-requests: "gpu" is not one of cpu, memory, ephemeral-storage; for example --helper-requests cpu=100m,memory=64Mi');
    expect(errorOf(() => parseResourceFlag('helper-limits', 'memory=64MB'))).toMatch(/^error: --helper-limits: memory="64MB" is not a positive Kubernetes quantity; use a value like/);
    expect(errorOf(() => parseResourceFlag('helper-limits', 'memory=0'))).toMatch(/not a positive Kubernetes quantity/);
    expect(errorOf(() => parseResourceFlag('helper-limits', 'cpu=1,cpu=2'))).toMatch(/names cpu twice/);
    expect(errorOf(() => validateHelperResources('cpu=200m', 'cpu=0.1'))).toBe('error: --helper-requests cpu=200m is more than --helper-limits cpu=0.1; a request may be at most its limit');
  });

  it('reads quantities as numbers', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('64Mi')).toBe(64 * 2 ** 20);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1G')).toBe(1e9);
  });

  it('yargs takes the flags, a repeated --image-pull-secret as a list, and TARGET stays positional', async () => {
    let seen: RawDebugArgs | undefined;
    const commands = { debug: async (raw: RawDebugArgs) => { seen = raw; return 0; }, list: async () => 0, clean: async () => 0, ns: async () => 0, stats: async () => 0, cp: async () => 0, diff: async () => 0 };
    await buildCli(['--helper-limits', 'cpu=1', '--image-pull-secret', 'a', 'pod/web', '--image-pull-secret', 'b', '--', 'true'], 'kubectl-nsdebug', commands).parseAsync();
    expect(seen).toMatchObject({ target: 'pod/web', helperLimits: 'cpu=1', imagePullSecret: ['a', 'b'] });
    await buildCli(['--image-pull-secret', 'a', 'pod/web'], 'kubectl-nsdebug', commands).parseAsync();
    expect(seen).toMatchObject({ target: 'pod/web', imagePullSecret: 'a' });
  });
});

describe('--image-pull-secret', () => {
  it('flags win over NSDEBUG_IMAGE_PULL_SECRETS; names are checked', () => {
    expect(validatePullSecrets(['a', 'b', 'a'], { NSDEBUG_IMAGE_PULL_SECRETS: 'c' })).toEqual(['a', 'b']);
    expect(validatePullSecrets(undefined, { NSDEBUG_IMAGE_PULL_SECRETS: ' c, d.e ,' })).toEqual(['c', 'd.e']);
    expect(validatePullSecrets(undefined, {})).toEqual([]);
    expect(errorOf(() => validatePullSecrets('Reg_Cred', {}))).toMatch(/^error: --image-pull-secret: "Reg_Cred" is not a valid secret name; /);
    expect(errorOf(() => validatePullSecrets(undefined, { NSDEBUG_IMAGE_PULL_SECRETS: 'ok,bad name' }))).toMatch(/^error: NSDEBUG_IMAGE_PULL_SECRETS: "bad name" is not a valid secret name/);
    expect(errorOf(() => validatePullSecrets('', {}))).toMatch(/needs a secret name/);
  });
});

const limitRange = (limits: Array<Record<string, unknown>>): V1LimitRange => ({ spec: { limits: limits as never } });

describe('fitHelperResources', () => {
  it('a quota that wants limits gets the floor as limits (requests default to them)', () => {
    const refusal = classifyRefusal('pods "x" is forbidden: failed quota: q: must specify limits.cpu for: nsdebug; limits.memory for: nsdebug')!;
    const fit = fitHelperResources(refusal, []);
    expect(fit).toEqual({ limits: { cpu: '100m', memory: '64Mi' } });
    expect(describeFit(refusal, 'team', fit!)).toBe('ResourceQuota "q" in namespace "team" demands resource values: the helper gets limits cpu=100m,memory=64Mi (choose them with --helper-requests/--helper-limits)');
  });

  it('bare quota names are requests; LimitRange minimums raise and maximums cap the floor', () => {
    const refusal = classifyRefusal('pods "x" is forbidden: failed quota: compute: must specify cpu for: nsdebug; requests.memory for: nsdebug; limits.memory for: nsdebug')!;
    const ranges = [limitRange([{ type: 'Container', min: { cpu: '250m' }, max: { memory: '32Mi' } }])];
    expect(fitHelperResources(refusal, ranges)).toEqual({ requests: { cpu: '250m', memory: '32Mi' }, limits: { memory: '32Mi' } });
  });

  it('a LimitRange refusal gets equal requests and limits (any ratio passes)', () => {
    const refusal = classifyRefusal('pods "x" is forbidden: cpu max limit to request ratio per Container is 2, but no request is specified or request is 0')!;
    expect(fitHelperResources(refusal, [])).toEqual({ requests: { cpu: '100m' }, limits: { cpu: '100m' } });
  });

  it('refusals that values cannot answer get no fit', () => {
    expect(fitHelperResources(classifyRefusal('pods "x" is forbidden: exceeded quota: tiny, requested: limits.memory=64Mi, used: limits.memory=0, limited: limits.memory=10Mi')!, [])).toBeUndefined();
    expect(fitHelperResources({ kind: 'policy', policy: 'p', binding: 'b', detail: 'no' }, [])).toBeUndefined();
    expect(fitHelperResources(classifyRefusal('pods "x" is forbidden: failed quota: q: must specify nvidia.com/gpu for: nsdebug')!, [])).toBeUndefined();
  });
});

describe('the helper pod', () => {
  const input = {
    name: 'nsdebug-web-abcde', namespace: 'team', nodeName: 'n1', image: 'reg.local/busybox:1', imagePullPolicy: 'IfNotPresent' as const,
    ttlSeconds: 60, target: 'pod/team/web', createdBy: 'me', agentSha256: 'a'.repeat(64), privileges: buildHelperPrivileges({ job: 'session', tools: 'helper' }), serveArgv: ['sh'],
  };

  it('carries the resources and pull secrets it is given, and none otherwise', () => {
    const plain = buildHelperPod(input);
    expect(plain.spec!.imagePullSecrets).toBeUndefined();
    expect(plain.spec!.containers[0]!.resources).toBeUndefined();
    const pod = buildHelperPod({ ...input, resources: { limits: { memory: '64Mi' } }, imagePullSecrets: ['regcred', 'other'] });
    expect(pod.spec!.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'other' }]);
    expect(pod.spec!.containers[0]!.resources).toEqual({ limits: { memory: '64Mi' } });
    expect(withHelperResources(plain, { requests: { cpu: '1' }, limits: { cpu: '1' } }).spec!.containers[0]!.resources).toEqual({ requests: { cpu: '1' }, limits: { cpu: '1' } });
    expect(plain.spec!.containers[0]!.resources).toBeUndefined(); // pure: the input pod is untouched
  });
});

describe('helperStartHint', () => {
  const pod = (secrets?: string[]) => ({ metadata: { name: 'nsdebug-web-x', namespace: 'team' }, spec: { containers: [], ...(secrets ? { imagePullSecrets: secrets.map((name) => ({ name })) } : {}) } });
  // containerd 1.6's words for a private registry without credentials (captured by test/e2e/realns.test.ts).
  const unauthorized = 'Failed: Failed to pull image "127.0.0.1:34401/nsdebug/busybox:private": failed to pull and unpack image "127.0.0.1:34401/nsdebug/busybox:private": failed to resolve reference "127.0.0.1:34401/nsdebug/busybox:private": pulling from host 127.0.0.1:34401 failed with status code [manifests private]: 401 Unauthorized';

  it('a registry that wants credentials gets the pull-secret advice, naming the secrets given', () => {
    expect(helperStartHint(unauthorized, pod())).toBe('check --image; if the registry wants credentials, pass a docker-registry secret of namespace team with --image-pull-secret NAME (or NSDEBUG_IMAGE_PULL_SECRETS)');
    expect(helperStartHint(unauthorized, pod(['regcred']))).toBe('the registry refused the credentials of --image-pull-secret regcred: check that they exist in namespace team and hold a login for this registry');
  });

  it('other image failures keep the image advice; others the describe advice', () => {
    expect(helperStartHint('ErrImagePull: not found', pod())).toBe('check --image and --image-pull-policy; see kubectl describe pod nsdebug-web-x -n team');
    expect(helperStartHint('FailedMount: no such volume', pod())).toBe('see kubectl describe pod nsdebug-web-x -n team');
  });
});
