// Issue 11, "Trust", on the real cluster: what runs on the node is what the
// client created; cluster and node text reaches the terminal with its control
// characters visible; clean touches only our own pods; the up-front checks
// name every verb; a session leaves an Event on its target; a pod session's
// helper is not privileged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildPod, createNamespace, deleteNamespace, deletePod, execInPod, kubectl, REPO_ROOT, run, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { helperPods, nsdebug, waitFor } from './helpers/nsdebug.js';

const AGENT_TEXT = readFileSync(join(REPO_ROOT, 'src/agent/nsdebug-agent.sh'), 'utf8');
const web = uniqueName('trust-web');
const comm = uniqueName('trust-comm');
const escIf = uniqueName('trust-esc');
const TARGETS = [web, comm, escIf];

interface HelperJson {
  metadata: { name: string; annotations: Record<string, string> };
  spec: {
    volumes?: Array<{ name: string; downwardAPI?: unknown; hostPath?: { path: string } }>;
    containers: Array<{ command: string[]; securityContext?: Record<string, unknown>; volumeMounts?: Array<{ mountPath: string; readOnly?: boolean }> }>;
  };
  status: { phase?: string };
}

async function helperOf(target: string): Promise<HelperJson> {
  return waitFor(`the helper of ${target} to run`, async () => {
    const [ref] = await helperPods([target]);
    if (ref === undefined) return undefined;
    const pod = JSON.parse(await kubectl(['get', 'pod', ref.split('/')[1]!, '-n', ref.split('/')[0]!, '-o', 'json'])) as HelperJson;
    return pod.status.phase === 'Running' ? pod : undefined;
  }, 60_000, 200);
}

function withCaps(pod: Record<string, unknown>, add: string[]): Record<string, unknown> {
  const spec = pod.spec as { containers: Array<Record<string, unknown>> };
  return { ...pod, spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, securityContext: { capabilities: { add } } })) } };
}

beforeAll(async () => {
  await Promise.all([
    applyPod(buildPod(web, [{ name: 'app', command: ['sleep', '3600'] }])),
    // Finding 3: an unprivileged init that writes a newline into its own comm
    // (the stat line then spans two lines); `sleep` is its child, not exec'd.
    applyPod(buildPod(comm, [{ name: 'app', command: ['sh', '-c', "printf 'x\\ny' > /proc/self/comm; sleep 3600; true"] }])),
    // Finding 4: a NET_ADMIN pod names its loopback interface ESC [ 2 J (clear screen).
    applyPod(withCaps(buildPod(escIf, [{ name: 'app', command: ['sh', '-c', 'ip link set lo down && ip link set lo name "$(printf \'\\033[2J\')" && sleep 3600'] }]), ['NET_ADMIN'])),
  ]);
  await Promise.all([waitPodRunning(web), waitPodRunning(comm), waitPodRunning(escIf)]);
}, 120_000);

afterAll(async () => {
  await nsdebug(['clean', '--all', '--yes']);
  await Promise.all(TARGETS.map((name) => deletePod(name)));
});

describe('finding 3: a target whose init has a newline in its comm', () => {
  it('is entered: its init is PID 1 of the session, not a later process', async () => {
    const result = await nsdebug([`pod/${comm}`, '--ns', 'pid,uts', '--', 'sh', '-c', 'hostname; od -c /proc/1/comm']);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${comm}\n`);
    expect(result.stdout).toMatch(/x\s+\\n\s+y/);
  });
});

describe('finding 1: a patched helper runs what the client created', () => {
  it('takes the agent from its command and exec argv, never from its annotations', async () => {
    // A session that outlives several heartbeats (--idle-timeout 3s: one per second).
    const session = nsdebug([`pod/${web}`, '--ns', 'uts', '--idle-timeout', '3s', '--', 'sh', '-c', 'sleep 12; hostname']);
    const helper = await helperOf(web);
    const ns = (await helperPods([web]))[0]!.split('/')[0]!;
    // Nothing on the node reads the pod's metadata: no downwardAPI volume, and the
    // agent's text is the container's (immutable) command, byte for byte.
    expect(helper.spec.volumes?.filter((v) => v.downwardAPI !== undefined) ?? []).toEqual([]);
    expect(helper.spec.containers[0]!.command.slice(0, 5)).toEqual(['sh', '-c', AGENT_TEXT, 'nsdebug-agent', 'serve']);
    expect(Object.values(helper.metadata.annotations).join('\n')).not.toContain('nsdebug-agent');
    // What a `patch pods` user would try: a script in the old annotation, and a changed digest.
    const evil = '#!/bin/sh\ntouch /tmp/hijacked\n';
    await kubectl(['annotate', 'pod', helper.metadata.name, '-n', ns, '--overwrite', `nsdebug.dev/agent=${evil}`, `nsdebug.dev/agent-sha256=${'0'.repeat(64)}`]);
    const patchedAt = Math.floor(Date.now() / 1000);
    // Heartbeats after the patch still run the original agent: it keeps writing the
    // heartbeat file, and the patched text never runs.
    await waitFor('a heartbeat after the patch', async () => {
      const beat = await execInPod(helper.metadata.name, ['cat', '/tmp/nsdebug/heartbeat'], { namespace: ns });
      return Number(beat.stdout.trim()) > patchedAt + 2 ? true : undefined;
    }, 20_000, 500);
    const probe = await execInPod(helper.metadata.name, ['ls', '/tmp/hijacked'], { namespace: ns });
    expect(probe.stderr).toContain('No such file');
    const result = await session;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${web}\n`);
  }, 90_000);
});

describe('finding 4: cluster and node text is shown with its control characters visible', () => {
  it('stats shows an interface named ESC[2J as \\e[2J, with no ESC byte', async () => {
    const inside = await execInPod(escIf, ['cat', '/proc/net/dev']);
    expect(inside.stdout).toContain('\u001b[2J:');
    const result = await nsdebug(['stats', `pod/${escIf}`]);
    expect(result.code).toBe(0);
    const bytes = await run('od', ['-c'], { input: result.stdout + result.stderr });
    expect(bytes.stdout).not.toContain('033');
    expect(result.stdout).toContain('\\e[2J');
  });
});

describe('finding 5: clean touches only our own helpers', () => {
  const ns = uniqueName('trust-clean');
  const names = { impostor: uniqueName('impostor'), foreign: uniqueName('foreign'), done: uniqueName('mine-done'), live: uniqueName('mine-live') };
  let me = '';

  /** A pod dressed as a helper: nsdebug's label, and its annotations when `createdBy` is given. */
  function fake(name: string, command: string[], createdBy?: string): Record<string, unknown> {
    const pod = buildPod(name, [{ name: 'app', command }], { restartPolicy: 'Never' }) as { metadata: Record<string, unknown> };
    return {
      ...pod,
      metadata: {
        ...pod.metadata,
        namespace: ns,
        labels: { ...(pod.metadata.labels as object), 'app.kubernetes.io/managed-by': 'kubectl-nsdebug' },
        ...(createdBy === undefined ? {} : { annotations: { 'nsdebug.dev/target': `pod/${ns}/x`, 'nsdebug.dev/node': 'nsdebug-node', 'nsdebug.dev/created-by': createdBy } }),
      },
    };
  }
  async function left(): Promise<string[]> {
    return (await kubectl(['get', 'pods', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean).sort();
  }

  beforeAll(async () => {
    me = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    await createNamespace(ns);
    await Promise.all([
      applyPod(fake(names.impostor, ['sleep', '3600'])),
      applyPod(fake(names.foreign, ['true'], 'someone-else')),
      applyPod(fake(names.done, ['true'], me)),
      applyPod(fake(names.live, ['sleep', '3600'], me)),
    ]);
    await waitFor('the fake helpers to settle', async () => {
      const phases = await kubectl(['get', 'pods', '-n', ns, '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}']);
      const list = phases.split('\n').filter(Boolean);
      return list.length === 4 && list.filter((p) => p === 'Succeeded').length === 2 && list.filter((p) => p === 'Running').length === 2 ? true : undefined;
    }, 60_000, 500);
  }, 90_000);
  afterAll(async () => {
    await deleteNamespace(ns);
  });

  it('deletes only the user\'s finished helper by default, one line per pod', async () => {
    const result = await nsdebug(['clean', '-n', ns]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`pod/${names.done} (namespace ${ns}) deleted\n`);
    expect(result.stderr).toMatch(/1 still in a session.*1 of other users.*1 with nsdebug's label but not its annotations/);
    expect(await left()).toEqual([names.foreign, names.impostor, names.live].sort());
  });

  it('--all without a terminal or --yes ends no session', async () => {
    const result = await nsdebug(['clean', '--all', '-n', ns]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: --all would delete 1 helper pod whose session still runs.*add --yes/m);
    expect(await left()).toEqual([names.foreign, names.impostor, names.live].sort());
  });

  it('--all --yes ends the user\'s running helper, never a labelled pod nsdebug did not create', async () => {
    const result = await nsdebug(['clean', '--all', '--yes', '-n', ns]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`pod/${names.live} (namespace ${ns}) deleted\n`);
    expect(await left()).toEqual([names.foreign, names.impostor].sort());
  });

  it('other users\' helpers need --any-user; the impostor survives even that', async () => {
    const result = await nsdebug(['clean', '--all', '--yes', '--any-user', '-n', ns]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`pod/${names.foreign} (namespace ${ns}) deleted\n`);
    expect(await left()).toEqual([names.impostor]);
  });
});
