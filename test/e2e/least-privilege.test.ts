// Issue 11, finding 6, on the real cluster: each helper gets the least its job
// needs (src/helper/privileges.ts). A pod session's helper is not privileged and
// has no node `/`; inside it the capabilities are the reduced set, the node's disk
// cannot be reached, and /host is absent; the node's / is read-only for host tools,
// only /sys/fs/cgroup is there for stats; a node session keeps all it had.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildPod, deletePod, E2E_IMAGE, kubectl, NODE_NAME, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { helperPods, nsdebug, TerminalSession, waitFor } from './helpers/nsdebug.js';

const web = uniqueName('least-web');

interface HelperJson {
  metadata: { name: string; namespace: string; annotations: Record<string, string>; deletionTimestamp?: string };
  spec: {
    volumes?: Array<{ name: string; hostPath?: { path: string }; emptyDir?: unknown }>;
    containers: Array<{
      securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { add?: string[]; drop?: string[] }; seccompProfile?: { type: string }; readOnlyRootFilesystem?: boolean };
      volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    }>;
  };
}

async function helpers(target = web): Promise<HelperJson[]> {
  const refs = await helperPods([target]);
  return Promise.all(refs.map(async (ref) => {
    const [ns, name] = ref.split('/') as [string, string];
    return JSON.parse(await kubectl(['get', 'pod', name, '-n', ns, '-o', 'json'])) as HelperJson;
  }));
}

/** The helper a command leaves with --keep: its kind, privileges and node mounts. */
async function keptHelper(args: readonly string[], target = web, { sessionMayFail = false } = {}): Promise<HelperJson> {
  const before = new Set((await helpers(target)).map((h) => h.metadata.name));
  // --keep before any `--`: after it, the flag would be the command's.
  const dash = args.indexOf('--');
  const result = await nsdebug(dash < 0 ? [...args, '--keep'] : [...args.slice(0, dash), '--keep', ...args.slice(dash)]);
  const kept = (await helpers(target)).filter((h) => !before.has(h.metadata.name));
  // Removed before any check: a helper left behind would confuse the next test.
  for (const h of kept) await kubectl(['delete', 'pod', h.metadata.name, '-n', h.metadata.namespace, '--wait=false']);
  if (!sessionMayFail) expect(result.stderr).not.toMatch(/^error/m);
  expect(kept).toHaveLength(1);
  return kept[0]!;
}

/** hostPath volumes as "PATH at MOUNT (ro|rw)". */
function nodeMounts(helper: HelperJson): string[] {
  const container = helper.spec.containers[0]!;
  return (helper.spec.volumes ?? []).flatMap((v) => {
    if (!v.hostPath) return [];
    const mount = container.volumeMounts?.find((m) => m.name === v.name);
    return [`${v.hostPath.path} at ${mount?.mountPath} (${mount?.readOnly ? 'ro' : 'rw'})`];
  });
}

beforeAll(async () => {
  await applyPod(buildPod(web, [{ name: 'app', command: ['sleep', '3600'] }]));
  await waitPodRunning(web);
}, 120_000);

afterAll(async () => {
  await nsdebug(['clean', '--all', '--yes']);
  await deletePod(web);
});

describe('a pod session with helper tools', () => {
  it('runs in a helper that is not privileged and has no node path', async () => {
    const session = nsdebug([`pod/${web}`, '--ns', 'uts', '--', 'sleep', '8']);
    const helper = await waitFor(`the helper of ${web}`, async () => (await helpers())[0], 60_000, 200);
    const sc = helper.spec.containers[0]!.securityContext!;
    expect(sc.privileged).toBe(false);
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.capabilities).toEqual({ drop: ['ALL'], add: ['KILL', 'NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_CHROOT', 'SYS_PTRACE'] });
    expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(nodeMounts(helper)).toEqual([]);
    expect(helper.metadata.annotations['nsdebug.dev/kind']).toBe('pod-helper-tools');
    expect((await session).code).toBe(0);
  }, 90_000);

  it('has the reduced capability set, no /host, and cannot reach the node\'s disk', async () => {
    // Without pid, /proc is the helper's (the node's PID namespace): PID 1's mountinfo
    // names the node's root device, which a privileged helper could mknod and mount.
    const script = [
      'grep CapEff /proc/self/status',
      'test -e /host && echo host-present || echo host-absent',
      'dev=$(awk \'$5 == "/" { print $3; exit }\' /proc/1/mountinfo)',
      'mkdir -p /tmp/least-mnt',
      'mknod /tmp/least-dev b "${dev%:*}" "${dev#*:}" 2>/dev/null && echo mknod-ok || echo mknod-refused',
      'mount -o ro /tmp/least-dev /tmp/least-mnt 2>/dev/null && echo mount-ok || echo mount-refused',
    ].join('; ');
    const result = await nsdebug([`pod/${web}`, '--ns', 'net,uts', '--', 'sh', '-c', script]);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    // KILL(5) NET_ADMIN(12) NET_RAW(13) SYS_CHROOT(18) SYS_PTRACE(19) SYS_ADMIN(21)
    expect(result.stdout).toBe('CapEff:\t00000000002c3020\nhost-absent\nmknod-refused\nmount-refused\n');
  }, 90_000);

  it('still enters every default namespace: the target\'s hostname, its processes in a fresh /proc', async () => {
    const result = await nsdebug([`pod/${web}`, '--', 'sh', '-c', 'hostname; ps -o pid,args | sed -n 2p; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok']);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${web}\\n\\s*1 sleep 3600\\nping-ok\\n$`));
  }, 90_000);
});

describe('what each other job gets', () => {
  it('host tools: the node\'s / read-only', async () => {
    const helper = await keptHelper([`pod/${web}`, '--ns', 'net', '--tools', 'host', '--', 'true']);
    expect(helper.spec.containers[0]!.securityContext!.privileged).toBe(false);
    expect(nodeMounts(helper)).toEqual(['/ at /host (ro)']);
    const result = await nsdebug([`pod/${web}`, '--ns', 'net,uts', '--tools', 'host', '--', 'sh', '-c', 'test -x /bin/sh && echo node-programs; touch /nsdebug-least-probe 2>/dev/null && echo wrote || echo read-only']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('node-programs\nread-only\n');
  }, 90_000);

  it('target tools: setpriv\'s capabilities and the cgroup tree writable, not the node\'s /', async () => {
    // The spec is the point: whether the image can run target tools is ident's test.
    const helper = await keptHelper([`pod/${web}`, '--tools', 'target', '--', 'true'], web, { sessionMayFail: true });
    expect(helper.metadata.annotations['nsdebug.dev/kind']).toBe('pod-target-tools');
    expect(helper.spec.containers[0]!.securityContext!.capabilities!.add).toEqual(expect.arrayContaining(['SETUID', 'SETGID', 'SETPCAP', 'SYS_ADMIN']));
    expect(nodeMounts(helper)).toEqual(['/sys/fs/cgroup at /host/sys/fs/cgroup (rw)']);
  }, 90_000);

  it('stats: only the cgroup tree, read-only, and SYS_PTRACE alone; ns: SYS_PTRACE, no node path', async () => {
    const stats = await keptHelper(['stats', `pod/${web}`]);
    expect(nodeMounts(stats)).toEqual(['/sys/fs/cgroup at /host/sys/fs/cgroup (ro)']);
    expect(stats.spec.containers[0]!.securityContext!.capabilities!.add).toEqual(['SYS_PTRACE']);
    const ns = await keptHelper(['ns', `pod/${web}`]);
    expect(nodeMounts(ns)).toEqual([]);
    expect(ns.spec.containers[0]!.securityContext!.capabilities!.add).toEqual(['SYS_PTRACE']);
  }, 90_000);

  it('diff: the node\'s / read-only', async () => {
    const diff = await keptHelper(['diff', `pod/${web}`]);
    expect(nodeMounts(diff)).toEqual(['/ at /host (ro)']);
    expect(diff.spec.containers[0]!.securityContext!.privileged).toBe(false);
  }, 90_000);
});

describe('a node session', () => {
  it('stays privileged with the node\'s / writable at /host: that is its job', async () => {
    const helper = await keptHelper([`node/${NODE_NAME}`, '--', 'true'], NODE_NAME);
    expect(helper.spec.containers[0]!.securityContext).toEqual({ privileged: true });
    expect(nodeMounts(helper)).toEqual(['/ at /host (rw)']);
    const result = await nsdebug([`node/${NODE_NAME}`, '--tools', 'host', '--', 'sh', '-c', 'grep CapEff /proc/self/status; test -f /etc/os-release && echo node-root']);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    const [capLine, root] = result.stdout.trim().split('\n');
    // SYS_MODULE (16) and DAC_OVERRIDE (1): only a privileged helper holds them.
    const caps = BigInt(`0x${capLine!.split('\t')[1]}`);
    expect(caps & (1n << 16n)).not.toBe(0n);
    expect(caps & (1n << 1n)).not.toBe(0n);
    expect(root).toBe('node-root');
  }, 90_000);
});

describe('the picker', () => {
  it('replaces the helper it started early when the tools chosen need another kind', async () => {
    const env = { PATH: process.env.PATH ?? '', KUBECONFIG: process.env.KUBECONFIG ?? '', NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? E2E_IMAGE };
    const term = await TerminalSession.start(['sh', '-c', 'kubectl nsdebug "$@"; echo "nsdebug exited $?"', 'sh', `pod/${web}`], { width: 160, height: 40, env });
    const kinds = async () => (await helpers()).filter((h) => !h.metadata.deletionTimestamp).map((h) => h.metadata.annotations['nsdebug.dev/kind']);
    try {
      await term.waitForScreen(/Namespaces to enter/, 60_000);
      // Acquired while the user chooses, with the flags' tools (helper).
      await waitFor('the early helper', async () => ((await kinds()).includes('pod-helper-tools') ? true : undefined), 60_000, 200);
      await term.type('t');
      await term.waitForScreen(/--tools host/);
      await term.keys('Enter');
      await term.waitForScreen(/^\[pod\/.*\] #\s*$/m, 90_000);
      expect(await waitFor('only the host-tools helper', async () => {
        const now = await kinds();
        return now.length === 1 ? now : undefined;
      }, 30_000, 200)).toEqual(['pod-host-tools']);
      await term.type('exit\r');
      await term.waitForScreen(/^nsdebug exited 0$/m, 60_000);
    } finally {
      await term.kill();
    }
  }, 120_000);
});
