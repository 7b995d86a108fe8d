// The local cluster's second node (cluster/node2.sh): a kubelet and a containerd
// of its own in their own PID, mount, network and UTS namespaces. Proves the
// isolation that node pinning relies on (a hostPID pod on node 2 sees node 2's
// processes only), that pods reach each other across the nodes, and that the
// plugin enters node 2 and pods on it. Skipped only when the cluster was asked
// for one node (NSDEBUG_CLUSTER_NODES=1); a missing node 2 otherwise fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPod,
  buildBusyboxPod,
  deletePod,
  execInPod,
  kubectl,
  kubectlResult,
  NODE2_NAME,
  NODE_NAME,
  type PodJson,
  type PodOptions,
  uniqueName,
  waitPodRunning,
} from './helpers/cluster.js';
import { helperPods, nsdebug } from './helpers/nsdebug.js';

const SECOND_NODE_TOLERATION = { key: 'nsdebug.dev/second-node', operator: 'Exists', effect: 'NoSchedule' };
const HTTPD = ['sh', '-c', 'echo hello-from-$(hostname) | tee /tmp/index.html && exec httpd -f -p 8080 -h /tmp'];

const onNode2 = uniqueName('n2-app');
const onNode1 = uniqueName('n1-app');
const hostPid2 = uniqueName('n2-hostpid');
const hostPid1 = uniqueName('n1-hostpid');
const pods: Record<string, PodJson> = {};

/** A busybox pod: pinned to node 2 (nodeName and the toleration) or scheduled freely (so on node 1). */
async function startPod(name: string, node: 'node2' | 'scheduled', options: PodOptions & { hostPID?: boolean } = {}): Promise<PodJson> {
  const pod = buildBusyboxPod(name, options);
  const spec = {
    ...(pod.spec as Record<string, unknown>),
    ...(options.hostPID ? { hostPID: true } : {}),
    ...(node === 'node2' ? { nodeName: NODE2_NAME, tolerations: [SECOND_NODE_TOLERATION] } : {}),
  };
  await applyPod({ ...pod, spec });
  return waitPodRunning(name, { timeoutMs: 90_000 });
}

async function execOk(pod: string, command: readonly string[]): Promise<string> {
  const result = await execInPod(pod, command);
  expect(result.code, `${command.join(' ')} in ${pod}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

/** Pod UIDs whose processes a hostPID pod sees, read from every /proc/PID/cgroup it can list. */
async function podUidsSeenBy(pod: string): Promise<Set<string>> {
  const out = await execOk(pod, ['sh', '-c', 'cat /proc/[0-9]*/cgroup 2>/dev/null; true']);
  return new Set([...out.matchAll(/\/pod([0-9a-f-]{36})(?:\/|$)/gm)].map((m) => m[1] ?? ''));
}

describe.skipIf(process.env.NSDEBUG_CLUSTER_NODES === '1')('the second node', () => {
  beforeAll(async () => {
    // Fail at once, with the fix, rather than after the pods' timeout.
    const node = await kubectlResult(['get', 'node', NODE2_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    if (node.code !== 0 || node.stdout !== 'True') {
      const why = node.code !== 0 ? node.stderr.trim() : 'not Ready';
      throw new Error(`node ${NODE2_NAME}: ${why}; run npm run cluster:up (it restarts what is missing), or set NSDEBUG_CLUSTER_NODES=1 for one node`);
    }
    const [a, b, c, d] = await Promise.all([
      startPod(onNode2, 'node2', { command: HTTPD }),
      startPod(onNode1, 'scheduled', { command: HTTPD }),
      startPod(hostPid2, 'node2', { hostPID: true, privileged: true }),
      startPod(hostPid1, 'scheduled', { hostPID: true, privileged: true }),
    ]);
    Object.assign(pods, { [onNode2]: a, [onNode1]: b, [hostPid2]: c, [hostPid1]: d });
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled([onNode2, onNode1, hostPid2, hostPid1].map((name) => deletePod(name)));
  });

  it('is Ready, runs the pinned version and carries the NoSchedule taint', async () => {
    const node = JSON.parse(await kubectl(['get', 'node', NODE2_NAME, '-o', 'json'])) as {
      spec: { taints?: Array<{ key: string; value?: string; effect: string }> };
      status: { conditions: Array<{ type: string; status: string }>; nodeInfo: { kubeletVersion: string } };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.34.4');
    expect(node.spec.taints).toContainEqual({ key: 'nsdebug.dev/second-node', value: 'true', effect: 'NoSchedule' });
  });

  it('keeps ordinary pods on node 1 and gives each node its own pod CIDR', () => {
    expect(pods[onNode1]?.spec.nodeName).toBe(NODE_NAME);
    expect(pods[hostPid1]?.spec.nodeName).toBe(NODE_NAME);
    expect(pods[onNode1]?.status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(pods[onNode2]?.spec.nodeName).toBe(NODE2_NAME);
    expect(pods[onNode2]?.status.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(pods[onNode2]?.status.hostIP).not.toBe(pods[onNode1]?.status.hostIP);
  });

  it("gives a hostPID pod on node 2 node 2's processes only, and node 2's hostname", async () => {
    const seen = await podUidsSeenBy(hostPid2);
    expect(seen).toContain(pods[onNode2]?.metadata.uid);
    expect(seen).toContain(pods[hostPid2]?.metadata.uid);
    expect(seen).not.toContain(pods[onNode1]?.metadata.uid);
    expect(seen).not.toContain(pods[hostPid1]?.metadata.uid);
    expect(await execOk(hostPid2, ['nsenter', '-t', '1', '-u', 'hostname'])).toBe(NODE2_NAME);
    expect(await execOk(hostPid2, ['cat', '/proc/1/cmdline'])).toContain('node2-init.sh');
  });

  // Node 1 is the host itself, so the isolation is one way (as between a kind
  // node container and its host): a test that pins a helper to the wrong node
  // to prove it cannot find its target must pin it to node 2.
  it("lets a hostPID pod on node 1 see node 2's processes too (node 1 is the host)", async () => {
    const seen = await podUidsSeenBy(hostPid1);
    expect(seen).toContain(pods[onNode1]?.metadata.uid);
    expect(seen).toContain(pods[onNode2]?.metadata.uid);
  });

  it('carries pod-to-pod traffic across the nodes, both ways', async () => {
    // No -T: busybox 1.35 wget segfaults with it.
    const fromNode1 = await execOk(onNode1, ['wget', '-q', '-O', '-', `http://${pods[onNode2]?.status.podIP}:8080/index.html`]);
    expect(fromNode1).toBe(`hello-from-${onNode2}`);
    const fromNode2 = await execOk(onNode2, ['wget', '-q', '-O', '-', `http://${pods[onNode1]?.status.podIP}:8080/index.html`]);
    expect(fromNode2).toBe(`hello-from-${onNode1}`);
  });

  it("serves the logs of a pod on node 2 (its kubelet's podLogsDir)", async () => {
    expect(await kubectl(['logs', onNode2])).toBe(`hello-from-${onNode2}\n`);
  });

  it('kubectl nsdebug node/nsdebug-node-2 runs on node 2', async () => {
    const result = await nsdebug([`node/${NODE2_NAME}`, '--', 'hostname']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${NODE2_NAME}\n`);
  });

  it("enters a pod on node 2: --ns uts prints the pod's own name", async () => {
    const result = await nsdebug([`pod/${onNode2}`, '--ns', 'uts', '--', 'hostname']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${onNode2}\n`);
  });

  it('leaves no helper behind', async () => {
    expect(await helperPods([NODE2_NAME, onNode2])).toEqual([]);
  });
});
