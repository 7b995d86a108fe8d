// Locked-down namespaces on the real cluster: a ResourceQuota that demands limits,
// a ValidatingAdmissionPolicy that denies hostPID pods, a private registry, a proxy.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyManifest, applyPod, buildBusyboxPod, createNamespace, deleteNamespace, kubeEnv, kubectl, kubectlResult, run, uniqueName, waitPodRunning, E2E_LABEL, KUBECONFIG_PATH,
} from './helpers/cluster.js';
import { helperPods, nsdebug } from './helpers/nsdebug.js';
import { startPrivateRegistry, type PrivateRegistry } from './helpers/registry.js';
import { startConnectProxy, writeProxiedKubeconfig, type ConnectProxy } from './helpers/connect-proxy.js';

const quotaNs = uniqueName('realns-quota');
const policyNs = uniqueName('realns-policy');
const policy = uniqueName('realns-deny-hostpid');
const plainNs = uniqueName('realns-plain');
const TARGETS = ['web'];
const MiB64 = String(64 * 2 ** 20);

/** A target that a quota demanding limits admits. */
function limitedPod(namespace: string): Record<string, unknown> {
  const pod = buildBusyboxPod('web', { namespace }) as { spec: { containers: Array<Record<string, unknown>> } };
  pod.spec.containers[0]!.resources = { limits: { cpu: '100m', memory: '32Mi' } };
  return pod as unknown as Record<string, unknown>;
}

beforeAll(async () => {
  await Promise.all([createNamespace(quotaNs), createNamespace(plainNs), createNamespace(policyNs, { 'nsdebug.dev/realns-policy': policy })]);
  await applyManifest({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: quotaNs }, spec: { hard: { 'limits.cpu': '2', 'limits.memory': '1Gi', pods: '10' } } });
  await applyManifest({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: policy, labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
      validations: [{ expression: '!has(object.spec.hostPID) || !object.spec.hostPID', message: 'hostPID pods are not allowed here' }],
    },
  });
  await applyManifest({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: policy, labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
    spec: { policyName: policy, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'nsdebug.dev/realns-policy': policy } } } },
  });
  await Promise.all([applyPod(limitedPod(quotaNs), quotaNs), applyPod(buildBusyboxPod('web', { namespace: policyNs }), policyNs), applyPod(buildBusyboxPod('web', { namespace: plainNs }), plainNs)]);
  await Promise.all([waitPodRunning('web', { namespace: quotaNs }), waitPodRunning('web', { namespace: policyNs }), waitPodRunning('web', { namespace: plainNs })]);
}, 180_000);

afterAll(async () => {
  await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', policy, '--ignore-not-found', '--wait=false']);
  await Promise.all([deleteNamespace(quotaNs), deleteNamespace(policyNs), deleteNamespace(plainNs)]);
});

afterEach(async () => {
  expect(await helperPods(TARGETS)).toEqual([]);
});

/** stderr lines that are not progress. */
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line && !line.startsWith('nsdebug: '));

describe('a namespace whose ResourceQuota demands limits', () => {
  it('gets a working session: the helper gets the least limits that pass, says so, and the tools run under them', async () => {
    // The session's programs share the helper container's cgroup: its memory limit is theirs.
    const result = await nsdebug(['-n', quotaNs, 'pod/web', '--ns', 'net', '--', 'sh', '-c', 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes']);
    expect(result.stderr).toContain(`nsdebug: ResourceQuota "q" in namespace "${quotaNs}" demands resource values: the helper gets limits cpu=100m,memory=64Mi (choose them with --helper-requests/--helper-limits)`);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(MiB64);
  });

  it('takes the values given with --helper-limits, without a refused first try', async () => {
    const result = await nsdebug(['-n', quotaNs, 'pod/web', '--ns', 'net', '--helper-limits', 'cpu=200m,memory=96Mi', '--', 'sh', '-c', 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('demands resource values');
    expect(result.stdout.trim()).toBe(String(96 * 2 ** 20));
  });

  it('values the quota cannot hold get its diagnosis, not RBAC advice', async () => {
    const result = await nsdebug(['-n', quotaNs, 'pod/web', '--ns', 'net', '--helper-limits', 'cpu=100m,memory=2Gi', '--', 'true']);
    expect(result.code).not.toBe(0);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^error: ResourceQuota "q" in namespace "${quotaNs}" has no room for the helper pod \\(requested: limits.memory=2Gi, .*\\); lower --helper-requests/--helper-limits`))]);
    expect(result.stderr).not.toMatch(/RBAC|failed: failed/);
  });
});

describe('a namespace where a ValidatingAdmissionPolicy denies hostPID pods', () => {
  it('one line names the policy and suggests --helper-namespace; progress says who refused', async () => {
    const result = await nsdebug(['-n', policyNs, 'pod/web', '--', 'true']);
    expect(result.code).not.toBe(0);
    expect(errorLines(result.stderr)).toEqual([
      `error: ValidatingAdmissionPolicy "${policy}" (binding "${policy}") denies the helper pod in namespace "${policyNs}": hostPID pods are not allowed here; run the helper where "${policy}" does not apply with --helper-namespace NS, or ask its owner for an exception`,
    ]);
    expect(result.stderr).toMatch(new RegExp(`^nsdebug: failed: refused by ValidatingAdmissionPolicy "${policy}" \\(\\d+\\.\\ds\\)$`, 'm'));
    expect(result.stderr).not.toContain('failed: failed');
  });

  it('and --helper-namespace is indeed the way out', async () => {
    const result = await nsdebug(['-n', policyNs, 'pod/web', '--helper-namespace', 'default', '--ns', 'net', '--', 'echo', 'through']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('through\n');
  });
});

describe('a kubeconfig with proxy-url', () => {
  let proxy: ConnectProxy;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    proxy = await startConnectProxy();
    dir = mkdtempSync(join(tmpdir(), 'nsdebug-proxy-'));
    writeProxiedKubeconfig(KUBECONFIG_PATH, join(dir, 'kubeconfig'), proxy.url);
    env = kubeEnv({ KUBECONFIG: join(dir, 'kubeconfig') });
  });
  afterAll(async () => {
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a session reuses its connections: few TLS connections through the proxy (11 before the shared agent)', async () => {
    proxy.reset();
    expect((await kubectlResult(['exec', '-n', plainNs, 'web', '--', 'true'], { env })).code).toBe(0);
    const kubectlExec = proxy.count();
    proxy.reset();
    const result = await nsdebug(['-n', plainNs, 'pod/web', '--ns', 'net', '--', 'echo', 'proxied'], { env });
    const session = proxy.count();
    console.log(`TLS connections through the proxy: kubectl exec ${kubectlExec}, nsdebug session ${session}`);
    expect(result.stdout).toBe('proxied\n');
    expect(result.code).toBe(0);
    expect(kubectlExec).toBeGreaterThan(0); // the proxy really is in the path
    // The start's parallel burst (access reviews, the pod) over the shared pool, two watches,
    // and one WebSocket per exec (each is its own upgraded connection): the session's (its 0
    // arrives marked, so no status check; it beats itself, so no separate first heartbeat).
    // Without the shared pool the same session opens 11 for its requests alone.
    expect(session).toBeLessThan(11);
  });
});

describe('a helper image in a private registry', () => {
  let registry: PrivateRegistry;
  beforeAll(async () => {
    registry = await startPrivateRegistry();
    await kubectl(['create', 'secret', 'docker-registry', 'regcred', '-n', plainNs, `--docker-server=${registry.host}`, `--docker-username=${registry.user}`, `--docker-password=${registry.password}`]);
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    // The pulled image's name in the node's containerd points at a registry that is gone now: drop it.
    if (registry) await run('ctr', ['-a', join(process.env.NSDEBUG_CLUSTER_STATE ?? '/var/lib/nsdebug-cluster', 'containerd', 'containerd.sock'), '-n', 'k8s.io', 'images', 'rm', registry.image]);
  });

  // Always: the kubelet asks the registry every time (the layers may be cached from the local image).
  const args = () => ['-n', plainNs, 'pod/web', '--image', registry.image, '--image-pull-policy', 'Always', '--ns', 'net'];

  it('pulls with --image-pull-secret', async () => {
    const result = await nsdebug([...args(), '--image-pull-secret', 'regcred', '--', 'echo', 'pulled']);
    expect(result.stderr).toMatch(/pulling the helper image/);
    expect(result.stdout).toBe('pulled\n');
    expect(result.code).toBe(0);
  });

  it('pulls with NSDEBUG_IMAGE_PULL_SECRETS from a shell profile', async () => {
    const result = await nsdebug([...args(), '--', 'echo', 'pulled'], { env: kubeEnv({ NSDEBUG_IMAGE_PULL_SECRETS: 'regcred' }) });
    expect(result.stdout).toBe('pulled\n');
    expect(result.code).toBe(0);
  });

  it('without it, fails at once with one line that names the pull-secret advice', async () => {
    const result = await nsdebug([...args(), '--', 'echo', 'pulled']);
    expect(result.code).not.toBe(0);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: the helper (pod|container) cannot start: .*401 Unauthorized.*; check --image; if the registry wants credentials, pass a docker-registry secret of namespace \S+ with --image-pull-secret NAME \(or NSDEBUG_IMAGE_PULL_SECRETS\)$/);
    console.log(lines[0]);
  });
});
