// Issue 11, finding 2: a program from the target's filesystem (`--tools target`)
// never runs with more than the target's own processes have. Each value is
// compared with what `kubectl exec` shows for the same target.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildPod, deletePod, E2E_IMAGE, kubectl, TOOLBOX_IMAGE, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { helperPods, nsdebug } from './helpers/nsdebug.js';

const low = uniqueName('ident-low');
const root = uniqueName('ident-root');
const TARGETS = [low, root];
const IDENTITY = 'grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status; id -u; id -G';

beforeAll(async () => {
  const lowPod = buildPod(low, [{ name: 'app', command: ['sleep', '3600'], resources: { limits: { memory: '64Mi' } } }], {
    securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000, 5000] },
  }) as { spec: { containers: Array<Record<string, unknown>> } };
  Object.assign(lowPod.spec.containers[0]!, {
    workingDir: '/tmp',
    env: [{ name: 'APP_MODE', value: 'calm waters' }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  await Promise.all([applyPod(lowPod), applyPod(buildPod(root, [{ name: 'app', command: ['sleep', '3600'] }]))]);
  await Promise.all([waitPodRunning(low), waitPodRunning(root)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([deletePod(low), deletePod(root)]);
});

afterEach(async () => {
  expect(await helperPods(TARGETS)).toEqual([]);
});

function exec(pod: string, script: string): Promise<string> {
  return kubectl(['exec', pod, '-c', 'app', '--', 'sh', '-c', script]);
}

function targetTools(pod: string, script: string): ReturnType<typeof nsdebug> {
  return nsdebug([`pod/${pod}`, '-q', '--image', TOOLBOX_IMAGE, '--tools', 'target', '--', 'sh', '-c', script]);
}

describe('--tools target runs as the target', () => {
  it('uid 1000, drop ALL, no privilege escalation: the same uids, groups, capability sets and no_new_privs as kubectl exec', async () => {
    const [own, session] = await Promise.all([exec(low, IDENTITY), targetTools(low, IDENTITY)]);
    expect(session.stderr).toBe('');
    expect(session.code).toBe(0);
    expect(own).toContain('NoNewPrivs:\t1');
    expect(own).toMatch(/^CapBnd:\t0{16}$/m);
    expect(own).toMatch(/^1000\n3000 4000 5000\n$/m);
    expect(session.stdout).toBe(own);
  });

  it('cannot mount, runs in the target\'s cgroups, in its workingDir, with its environment, and holds no helper file descriptor', async () => {
    const script = 'mount -t tmpfs x /tmp 2>/dev/null && echo mounted; cat /proc/self/cgroup; pwd; echo "APP_MODE=$APP_MODE"; (exec ls -l /proc/$$/fd) | cat';
    const [cgroup, own, session] = await Promise.all([exec(low, 'cat /proc/1/cgroup'), exec(low, 'true; (exec ls -l /proc/$$/fd) | cat'), targetTools(low, script)]);
    expect(session.code).toBe(0);
    expect(session.stdout).not.toContain('mounted');
    expect(session.stdout).toContain(cgroup);
    expect(session.stdout).toContain('\n/tmp\nAPP_MODE=calm waters\n');
    // The shell's own descriptors (listed by a child): what kubectl exec gives (busybox sh may
    // keep a pipeline's read end), nothing of the helper's.
    const fds = (text: string) => [...text.matchAll(/ (\d+) -> (.*)$/gm)].map((m) => `${m[1]} ${m[2]!.replace(/\d+/g, 'N')}`);
    expect(fds(own).slice(0, 3)).toEqual(['0 /dev/null', '1 pipe:[N]', '2 pipe:[N]']);
    expect(fds(session.stdout).slice(0, 3)).toEqual(fds(own).slice(0, 3));
    for (const fd of fds(session.stdout)) expect(fd).toMatch(/^\d+ (\/dev\/null|pipe:\[N\])$/);
  });

  it('a root target with the runtime\'s default capabilities: the same sets as kubectl exec', async () => {
    const caps = 'grep -E "^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status';
    const [own, session] = await Promise.all([exec(root, caps), targetTools(root, `${caps}; sleep 1; ps -o comm`)]);
    expect(session.code).toBe(0);
    expect(own).toMatch(/^CapEff:\t00000000a80425fb$/m);
    expect(session.stdout.startsWith(own)).toBe(true);
    // The holder (the helper's busybox, root with every capability) is gone once the program runs.
    const comms = session.stdout.slice(own.length).split('\n').filter(Boolean);
    expect(comms).toContain('ps');
    expect(comms).not.toContain('busybox');
  });
});

describe('--tools target where it cannot', () => {
  it('the busybox helper image (no util-linux setpriv): one error line, exit 120, no helper left', async () => {
    const result = await nsdebug([`pod/${root}`, '-q', '--image', E2E_IMAGE, '--tools', 'target', '--', 'id']);
    expect(result.code).toBe(120);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: --tools target needs util-linux setpriv in the helper image .*; run with --image IMAGE .* or use --tools helper\n$/);
  });
});
