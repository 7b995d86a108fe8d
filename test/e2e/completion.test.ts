// Shell completion through real kubectl (>= 1.26): kubectl runs
// plugin/kubectl_complete-nsdebug (on PATH via global-setup) with the words
// after `nsdebug` and passes its cobra-style answer on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  E2E_IMAGE, E2E_LABEL, NODE_NAME, applyManifest, createNamespace, deleteNamespace, deletePod, kubectl, kubectlResult,
  uniqueName, waitPodRunning,
} from './helpers/cluster.js';

const duo = uniqueName('comp-duo');
const otherNamespace = uniqueName('comp-ns');
const lonely = uniqueName('comp-lonely');
const deployment = uniqueName('comp-deploy');

function podManifest(name: string, containers: string[], namespace?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(namespace ? { namespace } : {}), labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
    spec: {
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      containers: containers.map((c) => ({ name: c, image: E2E_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] })),
    },
  };
}

/** `kubectl __complete nsdebug WORDS...` -> candidates and the directive number. */
async function complete(...words: string[]): Promise<{ candidates: string[]; directive: number }> {
  const result = await kubectlResult(['__complete', 'nsdebug', ...words]);
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n').filter(Boolean);
  const last = lines.pop() ?? '';
  expect(last).toMatch(/^:\d+$/);
  return { candidates: lines, directive: Number(last.slice(1)) };
}

beforeAll(async () => {
  await createNamespace(otherNamespace, { [E2E_LABEL.key]: E2E_LABEL.value });
  await applyManifest(podManifest(duo, ['app', 'sidecar']));
  await applyManifest(podManifest(lonely, ['only'], otherNamespace));
  // A deployment with no replicas: its name is there to complete, nothing runs.
  await applyManifest({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deployment, labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: deployment } },
      template: {
        metadata: { labels: { app: deployment, [E2E_LABEL.key]: E2E_LABEL.value } },
        spec: { containers: [{ name: 'web', image: E2E_IMAGE, imagePullPolicy: 'Never' }] },
      },
    },
  });
  await waitPodRunning(duo);
}, 120_000);

afterAll(async () => {
  await kubectlResult(['delete', 'deployment', deployment, '--ignore-not-found', '--wait=false']);
  await deletePod(duo);
  await deleteNamespace(otherNamespace);
});

describe('kubectl __complete nsdebug', () => {
  it('pod/ lists the pods of the current namespace', async () => {
    const { candidates, directive } = await complete('pod/');
    expect(candidates).toContain(`pod/${duo}`);
    expect(candidates).not.toContain(`pod/${lonely}`);
    expect(directive).toBe(4);
  });

  it('respects -n and --namespace=', async () => {
    expect((await complete('-n', otherNamespace, 'pod/')).candidates).toEqual([`pod/${lonely}`]);
    expect((await complete(`--namespace=${otherNamespace}`, '')).candidates).toContain(lonely);
  });

  it('completes workload and node names', async () => {
    expect((await complete('deploy/')).candidates).toContain(`deploy/${deployment}`);
    // Every node the cluster has (one, or two with nsdebug-node-2), and nothing else.
    const nodes = (await kubectl(['get', 'nodes', '-o', 'name'])).split('\n').filter(Boolean).sort();
    expect(nodes).toContain(`node/${NODE_NAME}`);
    expect([...(await complete('node/')).candidates].sort()).toEqual(nodes);
  });

  it('-c lists the containers of the chosen pod and deployment', async () => {
    expect((await complete(`pod/${duo}`, '-c', '')).candidates).toEqual(['app', 'sidecar']);
    expect((await complete(`deployment/${deployment}`, '--container', '')).candidates).toEqual(['web']);
  });

  it('-n lists namespaces', async () => {
    const { candidates } = await complete('-n', '');
    expect(candidates).toContain('default');
    expect(candidates).toContain(otherNamespace);
  });

  it('completes subcommands, flags and --ns values', async () => {
    const st = (await complete('st')).candidates;
    expect(st).toContain('stats');
    expect(st).toContain('statefulset/');
    expect(st).not.toContain('list');
    expect((await complete('--ns', 'net,u')).candidates).toEqual(['net,uts', 'net,user']);
    expect((await complete('--too')).candidates).toEqual(['--tools']);
  });

  it('a cluster that does not answer gives no candidates, quickly, not an error on the terminal', async () => {
    const started = Date.now();
    const result = await kubectlResult(['__complete', 'nsdebug', '--kubeconfig', '/nonexistent', 'pod/']);
    expect(result.stdout.trim()).toBe(':1');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
