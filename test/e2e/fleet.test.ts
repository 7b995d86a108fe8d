// Fan-out (--all-pods, -l) on the two-node cluster: a deployment of 4 replicas
// spread over nsdebug-node and nsdebug-node-2. Each pod answers with its own
// hostname and IP; exactly one helper per node exists while it runs and none
// after; a Pending pod is listed and skipped; a helper pinned to the wrong node
// (the NSDEBUG_TEST_HELPER_NODE test hook) finds no target; and killing node 2's
// kubelet mid-fan-out ends that node's sessions with a per-pod error while node
// 1's finish (the kubelet is restored with cluster/up.sh before the test ends).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, buildSpreadDeployment, deletePod, kubeEnv, kubectl, kubectlResult, NODE2_NAME, NODE_NAME, REPO_ROOT, run, uniqueName, E2E_IMAGE, E2E_LABEL } from './helpers/cluster.js';
import { HELPER_SELECTOR, helperPods, nsdebug, waitFor } from './helpers/nsdebug.js';

const deployment = uniqueName('fleet');
const pendingPod = uniqueName('fleet-pending');
const fleetLabel = `nsdebug.dev/fleet=${deployment}`;
const NODE2_KUBELET_PID = '/var/lib/nsdebug-cluster/run/node2-kubelet.pid';

interface FleetPod {
  name: string;
  node: string;
  ip: string;
}
let pods: FleetPod[] = [];

function buildDeployment(): Record<string, unknown> {
  return buildSpreadDeployment(deployment, { replicas: 4, strict: true, podLabels: { 'nsdebug.dev/fleet': deployment } });
}

/** Records every helper pod (name and node) seen while it runs: `kubectl get -w` from before the fan-out starts. */
function watchHelpers(): { seen: Map<string, string>; stop: () => void; ready: Promise<void> } {
  const seen = new Map<string, string>();
  const child = spawn('kubectl', ['get', 'pods', '-A', '-l', HELPER_SELECTOR, '--watch', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,NODE:.spec.nodeName,TARGET:.metadata.annotations.nsdebug\\.dev/target'], { env: kubeEnv() });
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const [name, node, target] = line.trim().split(/\s+/);
      if (name && node && pods.some((p) => target?.endsWith(`/${p.name}`))) seen.set(name, node);
    }
  });
  // The watch lists first (nothing of ours yet): give it a moment to be connected.
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 1500));
  return { seen, stop: () => child.kill(), ready };
}

/** Starts the plugin and keeps its output as it comes (for the kubelet test). */
function startNsdebug(args: readonly string[]): { child: ChildProcess; out: () => string; err: () => string; done: Promise<number | null> } {
  const child = spawn('kubectl', ['nsdebug', ...args], { env: kubeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, done };
}

describe.skipIf(process.env.NSDEBUG_CLUSTER_NODES === '1')('fan-out over a workload on two nodes', () => {
  beforeAll(async () => {
    await applyManifest(buildDeployment());
    await kubectl(['rollout', 'status', `deployment/${deployment}`, '--timeout=120s'], { timeoutMs: 130_000 });
    const out = await kubectl(['get', 'pods', '-l', `app=${deployment}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.podIP}{"\\n"}{end}']);
    pods = out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name = '', node = '', ip = ''] = line.split(' ');
        return { name, node, ip };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }, 150_000);

  afterAll(async () => {
    await kubectlResult(['delete', 'deployment', deployment, '--wait=false']);
    await deletePod(pendingPod).catch(() => {});
  });

  it('spreads the 4 replicas over both nodes', () => {
    expect(pods).toHaveLength(4);
    expect(pods.filter((p) => p.node === NODE_NAME)).toHaveLength(2);
    expect(pods.filter((p) => p.node === NODE2_NAME)).toHaveLength(2);
  });

  it("returns each pod's own hostname and IP, prefixed with its name, from one helper per node; none remain", async () => {
    const watch = watchHelpers();
    await watch.ready;
    const result = await nsdebug([`deploy/${deployment}`, '--all-pods', '--ns', 'uts,net', '--', 'sh', '-c', 'hostname; ip -4 -o addr show eth0']);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the watch's last events
    watch.stop();
    expect(result.code, result.stderr).toBe(0);
    const width = Math.max(...pods.map((p) => p.name.length));
    for (const pod of pods) {
      const prefix = `${pod.name.padEnd(width)} | `;
      const lines = result.stdout.split('\n').filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
      expect(lines[0], result.stdout).toBe(pod.name);
      expect(lines[1]).toContain(` inet ${pod.ip}/`);
    }
    expect(result.stderr).toContain('nsdebug: 4 of 4 pods succeeded');
    // Exactly two helpers, one per node.
    expect([...watch.seen.values()].sort(), JSON.stringify([...watch.seen])).toEqual([NODE_NAME, NODE2_NAME]);
    await waitFor('no helper left', async () => ((await helperPods(pods.map((p) => p.name))).length === 0 ? true : undefined), 20_000);
  });

  it('-o json: one object per pod, exit status the first non-zero, and a summary naming the failed pod', async () => {
    const bad = pods[2]!;
    const result = await nsdebug(['-l', fleetLabel, '-o', 'json', '--max-parallel', '2', '--ns', 'uts', '--', 'sh', '-c', `hostname; echo to-stderr >&2; [ "$(hostname)" != ${bad.name} ] || exit 7`]);
    expect(result.code, result.stderr).toBe(7);
    const json = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual(
      pods.map((p) => ({ pod: p.name, node: p.node, container: 'main', exitCode: p === bad ? 7 : 0, stdout: `${p.name}\n`, stderr: 'to-stderr\n' })),
    );
    expect(result.stderr).toContain(`nsdebug: 3 of 4 pods succeeded; failed: ${bad.name} (exit 7)`);
  });

  it('ns and stats --all-pods: one matrix and one row per pod', async () => {
    const ns = await nsdebug(['ns', `deploy/${deployment}`, '--all-pods', '-o', 'json']);
    expect(ns.code, ns.stderr).toBe(0);
    const reports = JSON.parse(ns.stdout) as Array<{ pod: string; node: string; entries: Array<{ kind: string }> }>;
    expect(reports.map((r) => [r.pod, r.node])).toEqual(pods.map((p) => [p.name, p.node]));
    for (const report of reports) expect(report.entries.map((e) => e.kind)).toEqual(['sandbox', 'container', 'node']);
    const stats = await nsdebug(['stats', '-l', fleetLabel]);
    expect(stats.code, stats.stderr).toBe(0);
    const rows = stats.stdout.split('\n');
    expect(rows[0]).toMatch(/POD\s+NODE\s+CONTAINER\s+CPU LIMIT\s+CPU USED\s+THROTTLED\s+MEM LIMIT\s+MEM USED\s+OOM KILLS/);
    for (const pod of pods) expect(rows.find((row) => row.includes(pod.name))).toMatch(new RegExp(`${pod.name}\\s+${pod.node}\\s+main\\s+unlimited\\s`));
  });

  it('lists and skips a Pending pod; the others still run', async () => {
    await applyManifest({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pendingPod, labels: { 'nsdebug.dev/fleet': deployment, [E2E_LABEL.key]: E2E_LABEL.value } },
      spec: { terminationGracePeriodSeconds: 0, nodeSelector: { 'nsdebug.dev/no-such-node': 'true' }, containers: [{ name: 'main', image: E2E_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] }] },
    });
    const result = await nsdebug(['-l', fleetLabel, '--all-pods', '--', 'true']);
    await deletePod(pendingPod);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: skipping pod ${pendingPod}: Pending (not scheduled to a node)`);
    expect(result.stderr).toContain(`nsdebug: 4 of 4 pods succeeded; skipped: ${pendingPod}`);
  });

  it('needs a COMMAND: one line, no helper', async () => {
    const result = await nsdebug([`deploy/${deployment}`, '--all-pods']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual(['error: --all-pods needs a COMMAND (there is no interactive shell across pods); pass one after --, for example: kubectl nsdebug deploy/api --all-pods -- ss -tn']);
  });

  it('a helper pinned to the wrong node (NSDEBUG_TEST_HELPER_NODE) finds no target: the PID namespaces really differ', async () => {
    const onNode1 = pods.find((p) => p.node === NODE_NAME)!;
    const right = await nsdebug([`pod/${onNode1.name}`, '--', 'true']);
    expect(right.code, right.stderr).toBe(0);
    const wrong = await nsdebug([`pod/${onNode1.name}`, '--', 'true'], { env: kubeEnv({ NSDEBUG_TEST_HELPER_NODE: NODE2_NAME }) });
    expect(wrong.code, wrong.stderr).toBe(124);
    expect(wrong.stderr).toMatch(/on node nsdebug-node-2/);
    expect(wrong.stderr).toMatch(/nsdebug-agent: no process of container [0-9a-f]{64} found on this node/);
    await waitFor('no helper left', async () => ((await helperPods([onNode1.name])).length === 0 ? true : undefined), 20_000);
  });

  it("killing node 2's kubelet mid-fan-out ends node 2's sessions with a per-pod error; node 1's finish", async () => {
    const run1 = startNsdebug([`deploy/${deployment}`, '--all-pods', '-o', 'json', '--', 'sh', '-c', 'echo started; sleep 6; echo finished']);
    try {
      // Both helpers run and every session has started (the agent execs its command at once: give it a second).
      await waitFor('two running helpers', async () => {
        const out = await kubectl(['get', 'pods', '-A', '-l', HELPER_SELECTOR, '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[*].spec.nodeName}']);
        return out.includes(NODE_NAME) && out.includes(NODE2_NAME) ? true : undefined;
      }, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      // The file holds `PID START-TIME` (cluster/lib.sh).
      const pid = Number(readFileSync(NODE2_KUBELET_PID, 'utf8').trim().split(/\s+/)[0]);
      expect(pid).toBeGreaterThan(1);
      process.kill(pid, 'SIGKILL');
      const code = await run1.done;
      const json = JSON.parse(run1.out()) as Array<{ pod: string; node: string; exitCode: number | null; stdout: string; error?: string }>;
      expect(code, run1.err()).toBe(1);
      for (const result of json) {
        if (result.node === NODE_NAME) {
          expect(result, run1.err()).toMatchObject({ exitCode: 0, stdout: 'started\nfinished\n' });
        } else {
          expect(result.exitCode, JSON.stringify(result)).toBeNull();
          expect(result.stdout).not.toContain('finished');
          expect(result.error).toMatch(/\S/);
        }
      }
      const node2Pods = pods.filter((p) => p.node === NODE2_NAME).map((p) => p.name);
      expect(run1.err()).toContain(`failed: ${node2Pods.map((p) => `${p} (no exit status)`).join(', ')}`);
    } finally {
      run1.child.kill();
      const restored = await run('bash', [join(REPO_ROOT, 'cluster', 'up.sh')], { timeoutMs: 240_000 });
      expect(restored.code, restored.stderr.slice(-2000)).toBe(0);
    }
    await waitFor('node 2 Ready again', async () => ((await kubectl(['get', 'node', NODE2_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])) === 'True' ? true : undefined), 120_000, 1000);
    await waitFor('no helper left', async () => ((await helperPods(pods.map((p) => p.name))).length === 0 ? true : undefined), 60_000, 1000);
  }, 400_000);
});
