// Smoke test of the local cluster itself: real containers through containerd
// and runc, real pod networking on the CNI bridge, PodSecurity admission.
// Every later e2e test assumes what this file proves.
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyPod,
  buildBusyboxPod,
  createNamespace,
  deleteNamespace,
  deletePod,
  execInPod,
  kubectl,
  kubectlResult,
  NODE_NAME,
  uniqueName,
  waitPodRunning,
} from './helpers/cluster.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
});

async function startPod(name: string, options: Parameters<typeof buildBusyboxPod>[1] = {}) {
  cleanups.push(() => deletePod(name, options.namespace));
  await applyPod(buildBusyboxPod(name, options));
  return waitPodRunning(name, { namespace: options.namespace });
}

async function execOk(name: string, command: readonly string[]): Promise<string> {
  const result = await execInPod(name, command);
  // kubectl 1.32's websocket exec sometimes logs a harmless klog line
  // ("Unknown stream id 1, discarding message"); only the command's stderr counts.
  const commandStderr = result.stderr.split('\n').filter((line) => line && !/^[EWI]\d{4} \d{2}:\d{2}:\d{2}\.\d+ /.test(line));
  expect(commandStderr).toEqual([]);
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

// `ip -4 -o addr show dev eth0` -> "2: eth0    inet 10.244.0.5/24 brd ..." -> 10.244.0.5
function parseInet(output: string): string[] {
  return [...output.matchAll(/\binet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1] ?? '');
}

describe('local cluster', () => {
  it('reports the pinned Kubernetes version on its node', async () => {
    const version = await kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.nodeInfo.kubeletVersion}']);
    expect(version).toBe('v1.34.4');
  });

  it.each(['Never', 'IfNotPresent'] as const)(
    'runs a busybox pod (pull policy %s) with its own IP on eth0 and its name as hostname',
    async (imagePullPolicy) => {
      const name = uniqueName(`smoke-${imagePullPolicy.toLowerCase()}`);
      const pod = await startPod(name, { imagePullPolicy });
      expect(pod.status.podIP).toMatch(/^10\.244\.0\.\d+$/);

      expect(parseInet(await execOk(name, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']))).toEqual([
        pod.status.podIP,
      ]);
      expect(await execOk(name, ['hostname'])).toBe(name);
    },
  );

  it('connects two pods over the bridge, each on its own IP', async () => {
    const server = uniqueName('smoke-web');
    const client = uniqueName('smoke-client');
    const [serverPod, clientPod] = await Promise.all([
      startPod(server, { command: ['sh', '-c', 'echo hello-from-$(hostname) > /tmp/index.html && exec httpd -f -p 8080 -h /tmp'] }),
      startPod(client),
    ]);
    expect(serverPod.status.podIP).not.toBe(clientPod.status.podIP);
    // No -T: busybox 1.35 wget segfaults with it.
    const body = await execOk(client, ['wget', '-q', '-O', '-', `http://${serverPod.status.podIP}:8080/index.html`]);
    expect(body).toBe(`hello-from-${server}`);
  });

  it('runs a hostNetwork pod in the node network namespace', async () => {
    const name = uniqueName('smoke-hostnet');
    const pod = await startPod(name, { hostNetwork: true });
    expect(pod.status.podIP).toBe(pod.status.hostIP);
    const addresses = parseInet(await execOk(name, ['ip', '-4', '-o', 'addr', 'show']));
    expect(addresses).toContain(pod.status.hostIP);
  });

  it('enforces PodSecurity: a baseline namespace rejects a privileged pod and admits a plain one', async () => {
    const namespace = uniqueName('smoke-baseline');
    cleanups.push(() => deleteNamespace(namespace));
    await createNamespace(namespace, { 'pod-security.kubernetes.io/enforce': 'baseline' });

    const privileged = JSON.stringify(buildBusyboxPod(uniqueName('smoke-priv'), { namespace, privileged: true }));
    const rejected = await kubectlResult(['create', '-f', '-'], { input: privileged });
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/violates PodSecurity "baseline:latest": privileged/);

    // The same pod without privileged passes admission (server-side dry run: nothing is created).
    const plain = JSON.stringify(buildBusyboxPod(uniqueName('smoke-plain'), { namespace }));
    const admitted = await kubectlResult(['create', '--dry-run=server', '-f', '-'], { input: plain });
    expect(admitted.stderr).toBe('');
    expect(admitted.code).toBe(0);
  });
});
