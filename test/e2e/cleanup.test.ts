// Nothing lost: the helper goes away on Ctrl-C while it starts, on SIGINT,
// SIGTERM and SIGHUP mid-session, and, when the client is SIGKILLed, by itself:
// through the agent's idle watchdog, and at --ttl at the latest.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, applyPod, buildBusyboxPod, deletePod, uniqueName, waitPodRunning, E2E_LABEL } from './helpers/cluster.js';
import { helperPods, nsdebug, PROMPT, runningHelperPods, TerminalSession, waitFor } from './helpers/nsdebug.js';
import { kubectl } from './helpers/cluster.js';

const target = uniqueName('sig');
// A pod bound to a node with no kubelet: its helper can never start, so Ctrl-C
// is sure to land while nsdebug waits for it.
const deadNode = uniqueName('no-kubelet');
const stuck = uniqueName('sig-stuck');

beforeAll(async () => {
  await applyManifest({ apiVersion: 'v1', kind: 'Node', metadata: { name: deadNode, labels: { 'kubernetes.io/os': 'linux', [E2E_LABEL.key]: E2E_LABEL.value } } });
  await applyPod({ ...buildBusyboxPod(stuck), spec: { ...(buildBusyboxPod(stuck).spec as object), nodeName: deadNode, tolerations: [{ operator: 'Exists' }] } });
  await applyPod(buildBusyboxPod(target));
  await waitPodRunning(target);
}, 90_000);

afterAll(async () => {
  await nsdebug(['clean', '--all', '--yes', '-A']);
  await Promise.all([deletePod(target), deletePod(stuck)]);
  await kubectl(['delete', 'node', deadNode, '--ignore-not-found', '--wait=false']);
});

/** This file's helpers whose container still runs. */
async function runningHelpers(): Promise<string[]> {
  const mine = new Set(await helperPods([target]));
  return (await runningHelperPods()).filter((name) => mine.has(`default/${name.replace(/^pod\//, '')}`));
}

async function helperPhase(name: string): Promise<string | undefined> {
  const out = await kubectl(['get', 'pods', '-A', '-l', 'app.kubernetes.io/managed-by=kubectl-nsdebug', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.reason}{"\\n"}{end}']);
  return out.split('\n').find((line) => line.startsWith(name));
}

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)('%s during a session', (signal, status) => {
  it(`deletes the helper and exits ${status}`, async () => {
    const term = await TerminalSession.start(['kubectl', 'nsdebug', `pod/${target}`, '--no-pick']);
    try {
      await term.waitForScreen(PROMPT, 60_000);
      expect(await helperPods([target])).toHaveLength(1);
      process.kill(await term.pid(), signal);
      expect(await term.waitForExit(20_000)).toBe(status);
      expect(await helperPods([target])).toEqual([]);
      // The terminal is handed back in cooked mode with echo.
    } finally {
      await term.kill();
    }
  });
});

describe('Ctrl-C while the helper starts', () => {
  it('deletes the helper and exits 130', async () => {
    const term = await TerminalSession.start(['kubectl', 'nsdebug', `pod/${stuck}`, '--no-pick']);
    try {
      await waitFor('the helper to exist', async () => (await helperPods([stuck]))[0], 30_000);
      await term.waitForScreen(/creating|scheduled/, 30_000);
      await term.keys('C-c');
      expect(await term.waitForExit(20_000)).toBe(130);
      expect(await helperPods([stuck])).toEqual([]);
    } finally {
      await term.kill();
    }
  });
});

describe('a client killed with SIGKILL', () => {
  it('leaves no running helper once the idle watchdog has fired', async () => {
    const term = await TerminalSession.start(['kubectl', 'nsdebug', `pod/${target}`, '--no-pick', '--idle-timeout', '2s']);
    try {
      await term.waitForScreen(PROMPT, 60_000);
      const [helper] = await helperPods([target]);
      expect(helper).toBeDefined();
      // The session opens at the container's Started event, before the status says
      // Running: wait for Running, or "no running helper" below would hold at once.
      await waitFor('the helper to report Running', async () => ((await runningHelpers()).length > 0 ? true : undefined), 30_000, 250);
      process.kill(await term.pid(), 'SIGKILL');
      // The pty closes, the remote shell gets SIGHUP, the agent sees no session for 2 s and exits.
      await waitFor('the helper to stop running', async () => ((await runningHelpers()).length === 0 ? true : undefined), 45_000, 500);
      const line = await helperPhase(helper!.split('/')[1]!);
      expect(line).toMatch(/ Succeeded/);
    } finally {
      await term.kill();
    }
  });

  it('is stopped by the kubelet at --ttl when a session never ends', async () => {
    // A non-interactive session whose remote process outlives the client: only the deadline stops it.
    // A long idle timeout: only the deadline can stop this helper.
    const child = execFile('kubectl', ['nsdebug', `pod/${target}`, '--ttl', '8s', '--idle-timeout', '5m', '--ns', 'uts', '--', 'sleep', '600'], { env: process.env });
    const running = await waitFor('the helper to run', async () => (await runningHelpers())[0], 60_000, 250);
    const helperName = running.replace(/^pod\//, '');
    // Give the exec a moment to start the remote sleep before the client dies.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    const started = Date.now();
    await waitFor('the deadline to stop the helper', async () => ((await runningHelpers()).length === 0 ? true : undefined), 60_000, 500);
    expect(Date.now() - started).toBeLessThan(60_000);
    const line = await helperPhase(helperName);
    expect(line).toMatch(/ Failed DeadlineExceeded/);
  });

  it('clean removes the finished helpers and list shows what remains', async () => {
    const listed = await nsdebug(['list', '-A']);
    expect(listed.stdout).toMatch(/Succeeded|DeadlineExceeded/);
    const cleaned = await nsdebug(['clean', '-A']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(/deleted/);
    expect(await helperPods([target])).toEqual([]);
  });
});
