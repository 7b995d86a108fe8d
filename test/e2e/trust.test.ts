// Issue 11, "Trust", on the real cluster: what runs on the node is what the
// client created; cluster and node text reaches the terminal with its control
// characters visible; clean touches only our own pods; the up-front checks
// name every verb; a session leaves an Event on its target; a pod session's
// helper is not privileged.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifest, applyPod, buildPod, createNamespace, deleteNamespace, deletePod, execInPod, kubeEnv, kubectl, REPO_ROOT, run, uniqueName, waitPodRunning } from './helpers/cluster.js';
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

describe('finding 7: the up-front checks name every verb the session uses', () => {
  const ns = uniqueName('trust-rbac');
  const target = uniqueName('rbac-web');
  /** A kubeconfig that is this service account (a token: `--as` is another path, see the note in the report). */
  async function kubeconfigOf(sa: string): Promise<string> {
    const token = (await kubectl(['create', 'token', sa, '-n', ns, '--duration', '10m'])).trim();
    const admin = JSON.parse(await kubectl(['config', 'view', '--raw', '--minify', '-o', 'json'])) as { clusters: Array<{ name: string; cluster: Record<string, unknown> }> };
    const file = join(tmpdir(), `${ns}-${sa}.kubeconfig`);
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': sa,
      clusters: admin.clusters, users: [{ name: sa, user: { token } }],
      contexts: [{ name: sa, context: { cluster: admin.clusters[0]!.name, user: sa, namespace: ns } }],
    }), { mode: 0o600 });
    return file;
  }
  const as = async (sa: string) => ({ env: kubeEnv({ KUBECONFIG: await kubeconfigOf(sa) }) });

  /** A service account with a Role of these pod verbs (and create pods/exec, plus events when `events`). */
  async function account(sa: string, podVerbs: string[], events: boolean): Promise<void> {
    await applyManifest({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns } });
    await applyManifest({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: sa, namespace: ns },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: podVerbs },
        // A WebSocket exec is authorized as "get" (newer servers also ask for "create").
        { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
        ...(events ? [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }] : []),
      ],
    });
    await applyManifest({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: sa, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    });
  }

  beforeAll(async () => {
    await createNamespace(ns);
    await Promise.all([
      applyPod(buildPod(target, [{ name: 'app', command: ['sleep', '3600'] }]), ns),
      account('no-watch', ['get', 'list', 'create', 'delete'], true),
      account('no-events', ['get', 'list', 'watch', 'create', 'delete'], false),
    ]);
    await waitPodRunning(target, { namespace: ns });
  }, 90_000);
  afterAll(async () => {
    await nsdebug(['clean', '--all', '--yes', '--any-user', '-n', ns]);
    await deleteNamespace(ns);
  });

  it('a missing watch is one error line before anything is created', async () => {
    const result = await nsdebug([`pod/${target}`, '--ns', 'uts', '--', 'hostname'], await as('no-watch'));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^error: RBAC forbids "watch" on "pods" in namespace "[^"]+", which the helper pod needs; /m);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    expect(result.stderr).not.toMatch(/creating/);
    expect(await kubectl(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/managed-by=kubectl-nsdebug', '-o', 'name'])).toBe('');
  });

  it('without create events the session goes on after one warning line', async () => {
    const result = await nsdebug([`pod/${target}`, '--ns', 'uts', '--', 'hostname'], await as('no-events'));
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${target}\n`);
    expect(result.stderr.match(/warning: this session leaves no record: RBAC forbids "create" on "events"/g)).toHaveLength(1);
  });
});

describe('finding 8: a record of who entered', () => {
  interface EventJson { metadata: { name: string }; reason: string; message: string; involvedObject: { kind: string; name: string; uid: string }; source?: { component?: string } }
  /** nsdebug's Events on an object, but those named in `seen` (the list's order is not the order of creation). */
  async function eventsOn(kind: string, name: string, namespace: string, seen: readonly EventJson[] = []): Promise<EventJson[]> {
    const out = await kubectl(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`, '-o', 'json']);
    const old = new Set(seen.map((e) => e.metadata.name));
    return (JSON.parse(out) as { items: EventJson[] }).items.filter((e) => e.source?.component === 'kubectl-nsdebug' && !old.has(e.metadata.name));
  }

  it('a session leaves an opened and a closed Event on its pod: who, what, the helper, exit status and duration', async () => {
    const before = await eventsOn('Pod', web, 'default');
    const result = await nsdebug([`pod/${web}`, '--ns', 'uts,net', '--', 'sh', '-c', 'exit 3']);
    expect(result.code).toBe(3);
    const events = await eventsOn('Pod', web, 'default', before);
    const opened = events.find((e) => e.reason === 'NsdebugSessionStarted');
    const closed = events.find((e) => e.reason === 'NsdebugSessionEnded');
    expect(opened?.message).toMatch(new RegExp(`^nsdebug-admin entered net,uts of pod/default/${web} \\(app\\) with helper tools: sh -c "exit 3" \\(helper default/nsdebug-${web.slice(0, 20)}`));
    expect(closed?.message).toMatch(/^nsdebug-admin left pod\/default\/\S+ \(app\): exit 3 after \d+\.\ds /);
    const described = await kubectl(['describe', 'pod', web]);
    expect(described).toContain('NsdebugSessionStarted');
    expect(described).toContain('NsdebugSessionEnded');
  });

  it('ns and stats record themselves; a node session records on the node', async () => {
    const before = await eventsOn('Pod', web, 'default');
    expect((await nsdebug(['ns', `pod/${web}`])).code).toBe(0);
    expect((await nsdebug(['stats', `pod/${web}`])).code).toBe(0);
    const messages = (await eventsOn('Pod', web, 'default', before)).map((e) => `${e.reason} ${e.message}`);
    expect(messages.filter((m) => /ran nsdebug ns on/.test(m))).toHaveLength(2);
    expect(messages.filter((m) => /ran nsdebug stats on/.test(m))).toHaveLength(2);
    const nodeBefore = await eventsOn('Node', 'nsdebug-node', 'default');
    expect((await nsdebug(['node/nsdebug-node', '--', 'true'])).code).toBe(0);
    const node = await eventsOn('Node', 'nsdebug-node', 'default', nodeBefore);
    expect(node.map((e) => e.reason)).toEqual(expect.arrayContaining(['NsdebugSessionStarted', 'NsdebugSessionEnded']));
    expect(await kubectl(['describe', 'node', 'nsdebug-node'])).toContain('NsdebugSessionStarted');
  });
});
