// Every bad input: a one-line `error: ...` on stderr that says what to do next,
// a non-zero exit, and no helper left behind.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyManifest, applyPod, buildBusyboxPod, createNamespace, deleteNamespace, deletePod, getPod, kubectl,
  uniqueName, waitPodRunning, E2E_LABEL, KUBECONFIG_PATH,
} from './helpers/cluster.js';
import { helperPods, nsdebug, waitFor } from './helpers/nsdebug.js';

const web = uniqueName('err-web');
const done = uniqueName('err-done');
const unscheduled = uniqueName('err-pending');
const restricted = uniqueName('err-baseline');
const rbacNs = uniqueName('err-rbac');
const fakeLinuxNode = uniqueName('fake-linux');
const fakeWindowsNode = uniqueName('fake-windows');
const stuck = uniqueName('err-stuck');
const TARGETS = [web, done, unscheduled, stuck, 'target', 'victim'];

function fakeNode(name: string, os: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/os': os, [E2E_LABEL.key]: E2E_LABEL.value } } };
}

beforeAll(async () => {
  await Promise.all([
    applyPod(buildBusyboxPod(web)),
    applyPod({ ...buildBusyboxPod(done, { command: ['true'] }), spec: { ...(buildBusyboxPod(done, { command: ['true'] }).spec as object), restartPolicy: 'Never' } }),
    applyPod({ ...buildBusyboxPod(unscheduled), spec: { ...(buildBusyboxPod(unscheduled).spec as object), nodeSelector: { 'nsdebug.dev/no-such-node': 'true' } } }),
    createNamespace(restricted, { 'pod-security.kubernetes.io/enforce': 'baseline' }),
    createNamespace(rbacNs),
    applyManifest(fakeNode(fakeLinuxNode, 'linux')),
    applyManifest(fakeNode(fakeWindowsNode, 'windows')),
  ]);
  // A pod bound to a node without a kubelet: scheduled, never started; its helper can never start either.
  await applyPod({ ...buildBusyboxPod(stuck), spec: { ...(buildBusyboxPod(stuck).spec as object), nodeName: fakeLinuxNode, tolerations: [{ operator: 'Exists' }] } });
  await applyPod(buildBusyboxPod('target', { namespace: restricted }), restricted);
  // An account that may read pods but not create them.
  await applyManifest({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: rbacNs } });
  await applyManifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: rbacNs }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
  await applyManifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: rbacNs }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: rbacNs }] });
  await applyPod(buildBusyboxPod('victim', { namespace: rbacNs }), rbacNs);
  await Promise.all([waitPodRunning(web), waitPodRunning('target', { namespace: restricted }), waitPodRunning('victim', { namespace: rbacNs })]);
  await waitFor('the short pod to finish', async () => ((await getPod(done)).status.phase === 'Succeeded' ? true : undefined), 60_000);
}, 180_000);

afterAll(async () => {
  await Promise.all([deletePod(web), deletePod(done), deletePod(unscheduled), deletePod(stuck), deleteNamespace(restricted), deleteNamespace(rbacNs)]);
  await kubectl(['delete', 'node', fakeLinuxNode, fakeWindowsNode, '--ignore-not-found', '--wait=false']);
});

afterEach(async () => {
  expect(await helperPods(TARGETS)).toEqual([]);
});

/** The contract for every failure: non-zero, exactly one line on stderr, starting with "error:". */
function expectOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.split('\n').filter((line) => line && !line.startsWith('nsdebug: '));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('errors', () => {
  it('a pod that does not exist suggests close names', async () => {
    const typo = web.replace('err-web', 'err-wbe');
    expectOneLineError(await nsdebug([`pod/${typo}`, '--', 'true']), new RegExp(`pod "${typo}" not found in namespace "default"; did you mean ${web}\\?`));
  });

  it('a container that does not exist lists the containers', async () => {
    expectOneLineError(await nsdebug([`pod/${web}`, '-c', 'nope', '--', 'true']), /container "nope" not found in pod .*; its containers are: main/);
  });

  it('a pod that is not scheduled yet', async () => {
    expectOneLineError(await nsdebug([`pod/${unscheduled}`, '--', 'true']), /is not scheduled to a node yet.*wait until it is/);
  });

  it('a pod that has finished', async () => {
    expectOneLineError(await nsdebug([`pod/${done}`, '--', 'true']), /has finished \(Succeeded\).*nothing is left to enter/);
  });

  it('a node that runs Windows', async () => {
    expectOneLineError(await nsdebug([`node/${fakeWindowsNode}`, '--', 'true']), /runs Windows.*Linux nodes only/);
  });

  it('an unknown namespace name in --ns', async () => {
    expectOneLineError(await nsdebug([`pod/${web}`, '--ns', 'net,disk', '--', 'true']), /unknown namespace "disk" in --ns; valid: net,pid,mnt,uts,ipc,user,cgroup,time or all/);
  });

  it('target tools with the default image (no setpriv): refused before any helper, naming both ways out', async () => {
    const env = { ...process.env, NSDEBUG_IMAGE: '' };
    for (const args of [['--tools', 'target'], ['--ns', 'mnt']]) {
      expectOneLineError(await nsdebug([`pod/${web}`, ...args, '--', 'true'], { env }),
        /--tools target runs the container's programs as the container, which needs util-linux setpriv in the helper image, and docker\.io\/library\/busybox:1\.36\.1 has none; use --tools helper .*or --image an image with setpriv/);
    }
  });

  it('no kubeconfig', async () => {
    const env = { ...process.env, KUBECONFIG: '', HOME: mkdtempSync(join(tmpdir(), 'nsdebug-home-')) };
    // Through the plugin directly: kubectl itself would already complain about the missing kubeconfig.
    expectOneLineError(await nsdebug([`pod/${web}`, '--', 'true'], { env }), /no kubeconfig found.*--kubeconfig or KUBECONFIG/);
  });

  it('an API server that cannot be reached (not client-node\'s silent localhost:8080)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsdebug-kc-'));
    const file = join(dir, 'config');
    writeFileSync(file, ['apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: x}}]', 'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', ''].join('\n'));
    expectOneLineError(await nsdebug([`pod/${web}`, '--kubeconfig', file, '--', 'true']), /cannot reach the API server at https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });

  it('RBAC that forbids creating the helper names the verbs', async () => {
    const result = await nsdebug(['pod/victim', '-n', rbacNs, '--as', `system:serviceaccount:${rbacNs}:reader`, '--', 'true']);
    expectOneLineError(result, new RegExp(`RBAC forbids "create" on "pods" in namespace "${rbacNs}", "create" on "pods/exec" .*, "delete" on "pods"`));
  });

  it('PodSecurity rejecting the helper suggests --helper-namespace, which then works', async () => {
    expectOneLineError(await nsdebug(['pod/target', '-n', restricted, '--ns', 'uts', '--', 'hostname']), /PodSecurity admission in namespace ".*" \(baseline:latest\) rejects the privileged helper pod; run the helper in a namespace that allows privileged pods with --helper-namespace/);
    const ok = await nsdebug(['pod/target', '-n', restricted, '--helper-namespace', 'default', '--ns', 'uts', '--', 'hostname']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('target\n');
  });

  it('a helper image that cannot be pulled fails as soon as the kubelet says so', async () => {
    const started = Date.now();
    const result = await nsdebug([`pod/${web}`, '--image', 'localhost/nsdebug/no-such-image:1', '--image-pull-policy', 'Never', '--timeout', '60s', '--', 'true']);
    expectOneLineError(result, /ErrImageNeverPull|cannot start.*no-such-image/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a helper that does not start within --timeout shows its last events', async () => {
    const result = await nsdebug([`pod/${stuck}`, '--timeout', '3s', '--', 'true']);
    expectOneLineError(result, /did not start within 3\.0s \(last events: .*\); raise --timeout/);
  });

  it('an unknown flag is one line with a hint, not a stack trace', async () => {
    expectOneLineError(await nsdebug([`pod/${web}`, '--bogus']), /Unknown argument: bogus; see kubectl nsdebug --help/);
  });

  it('the kubeconfig file of the local cluster still works after all that', async () => {
    const ok = await nsdebug([`pod/${web}`, '--kubeconfig', KUBECONFIG_PATH, '--ns', 'uts', '--', 'hostname']);
    expect(ok.stdout).toBe(`${web}\n`);
  });
});
