// The agent against a real pod made on this machine without Kubernetes:
// namespaces from unshare, cgroup directories laid out as the kubelet's
// cgroupfs driver does (test/agent/fake-pod.sh). Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CGROUP_ROOT, IS_ROOT, SHELLS, runAgent, startFakePod, stopFakePod, type FakePod } from './helpers.js';

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const UID = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
const SID = hex(64);
const CID = hex(64);

let fakePod: FakePod | undefined;
let dir: string;
let bin: string;
let sandboxPid = 0;
let containerPid = 0;

const env = (): NodeJS.ProcessEnv => ({
  PATH: `${bin}:${process.env.PATH ?? ''}`,
  NSDEBUG_RUN: join(dir, 'run'),
  NSDEBUG_HOST_ROOT: '/',
});
const nsOf = (pid: number | 'self', type: string) => readlinkSync(`/proc/${pid}/ns/${type}`);

describe.skipIf(!IS_ROOT)('agent on a real pod', () => {
  beforeAll(() => {
    fakePod = startFakePod('nsdebug-agent-real-', UID, SID, CID);
    ({ dir, bin, sandboxPid, containerPid } = fakePod);
  }, 30_000);

  afterAll(() => {
    if (fakePod) stopFakePod(fakePod, UID);
    const left = ['memory', 'pids', 'cpu', 'unified'].filter((c) => existsSync(`/sys/fs/cgroup/${c}${CGROUP_ROOT}/kubepods/burstable/pod${UID}`));
    const alive = [sandboxPid, containerPid].filter((p) => p > 0 && existsSync(`/proc/${p}`));
    if (left.length > 0 || alive.length > 0) throw new Error(`cleanup left cgroups ${left.join(',')} / processes ${alive.join(',')}`);
  }, 30_000);

  it('the fake pod looks like a kubelet pod', () => {
    expect(nsOf(containerPid, 'net')).toBe(nsOf(sandboxPid, 'net'));
    expect(nsOf(containerPid, 'net')).not.toBe(nsOf('self', 'net'));
    expect(nsOf(containerPid, 'pid')).not.toBe(nsOf(sandboxPid, 'pid'));
    expect(readFileSync(`/proc/${containerPid}/cgroup`, 'utf8')).toContain(`:memory:${CGROUP_ROOT}/kubepods/burstable/pod${UID}/${CID}\n`);
  });

  describe.each(SHELLS)('under $name', (shell) => {
    const agent = (...args: string[]) => runAgent(shell, args, env());
    const session = (ns: string, tools: string, ...command: string[]) =>
      agent('session', '--pod-uid', UID, '--container-id', CID, '--ns', ns, '--tools', tools, '--', ...command);

    it('pid: the container init and the sandbox', async () => {
      expect(await agent('pid', '--pod-uid', UID, '--container-id', CID)).toEqual({ status: 0, stdout: `${containerPid}\n`, stderr: '' });
      expect(await agent('pid', '--pod-uid', UID, '--sandbox', '--exclude', CID)).toEqual({ status: 0, stdout: `${sandboxPid}\n`, stderr: '' });
      const r = await agent('pid', '--pod-uid', UID, '--container-id', hex(64));
      expect(r.status).toBe(124);
      expect(r.stderr).toMatch(/^nsdebug-agent: no process of container [0-9a-f]{64} found on this node; [^\n]*\n$/);
    });

    it('session --ns uts -- hostname prints the pod hostname', async () => {
      expect(await session('uts', 'helper', 'hostname')).toEqual({ status: 0, stdout: 'pod-x\n', stderr: '' });
    });

    it('session enters exactly the chosen namespaces', async () => {
      const r = await session('uts,pid', 'helper', 'sh', '-c', 'for t in uts pid net ipc; do readlink /proc/self/ns/$t; done');
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')).toEqual([
        nsOf(containerPid, 'uts'),
        nsOf(containerPid, 'pid'),
        nsOf('self', 'net'),
        nsOf('self', 'ipc'),
        '',
      ]);
    });

    it('session --ns pid -- ps shows only the target container processes', async () => {
      const r = await session('pid', 'helper', 'ps');
      expect(r.status).toBe(0);
      const rows = r.stdout.trim().split('\n').slice(1);
      expect(rows.some((l) => /^\s*1 .*sleep 302/.test(l))).toBe(true);
      expect(rows.some((l) => /sleep 301/.test(l))).toBe(true);
      expect(rows.some((l) => /sleep 300|vitest/.test(l))).toBe(false);
      // The two sleeps and ps itself, numbered in the target's namespace.
      expect(rows.length, r.stdout).toBe(3);
      expect(rows.map((l) => Number(l.trim().split(/\s+/)[0])), r.stdout).not.toContain(containerPid);
    });

    it('session --ns net -- ip -o link shows only lo', async () => {
      const r = await session('net', 'helper', 'ip', '-o', 'link');
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toMatch(/^1: lo: /);
    });

    it('session exposes the target root at $NSDEBUG_TARGET_ROOT, sets PS1 from --label, passes the exit status', async () => {
      const r = await agent(
        'session', '--pod-uid', UID, '--container-id', CID, '--ns', 'net,pid', '--tools', 'helper', '--label', 'default/web:app',
        '--', 'sh', '-c', 'cat "$NSDEBUG_TARGET_ROOT/mnt/marker"; echo "$PS1"; exit 7',
      );
      expect(r).toEqual({ status: 7, stdout: 'inside\n[default/web:app] # \n', stderr: '' });
    });

    it('session --tools target runs the container filesystem programs', async () => {
      expect(await session('uts', 'target', 'cat', '/mnt/marker')).toEqual({ status: 0, stdout: 'inside\n', stderr: '' });
    });

    it('session --tools host runs the node programs, with a fresh /proc for pid', async () => {
      const r = await session('pid,uts', 'host', 'sh', '-c', 'readlink /proc/self/exe; hostname; ls /proc | grep -c "^[0-9]"');
      expect(r.stderr).toBe('');
      const [exe, hostname, count] = r.stdout.trim().split('\n');
      expect(exe).not.toMatch(/busybox/);
      expect(hostname).toBe('pod-x');
      expect(Number(count)).toBeLessThanOrEqual(5);
    });

    it('session --ns cgroup: 123 with the helper nsenter (busybox), works with --tools host', async () => {
      const r = await session('cgroup', 'helper', 'true');
      expect(r.status).toBe(123);
      expect(r.stderr).toMatch(/^nsdebug-agent: the helper image's nsenter cannot enter the cgroup namespace; use --tools host[^\n]*\n$/);
      expect(await session('cgroup', 'host', 'readlink', '/proc/self/ns/cgroup')).toEqual({
        status: 0,
        stdout: `${nsOf(containerPid, 'cgroup')}\n`,
        stderr: '',
      });
    });

    it('session --sandbox enters the sandbox', async () => {
      const r = await agent('session', '--pod-uid', UID, '--sandbox', '--exclude', CID, '--ns', 'pid,uts', '--tools', 'helper', '--', 'ps');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\n\s*1 .*sleep 300\n/);
      expect(r.stdout).not.toMatch(/sleep 30[12]/);
    });

    it('session without a command runs a shell reading stdin', async () => {
      const r = await runAgent(shell, ['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'uts', '--tools', 'helper'], env(), 'hostname; exit 3\n');
      expect(r).toEqual({ status: 3, stdout: 'pod-x\n', stderr: '' });
    });

    it('session --node: helper programs, or the node ones with --tools host', async () => {
      const helper = await agent('session', '--node', '--tools', 'helper', '--', 'sh', '-c', 'echo "$NSDEBUG_TARGET_ROOT"; readlink /proc/self/exe');
      expect(helper).toEqual({ status: 0, stdout: `/\n${readlinkSync(join(bin, 'readlink'))}\n`, stderr: '' });
      const host = await agent('session', '--node', '--tools', 'host', '--', 'readlink', '/proc/self/exe');
      expect(host.status).toBe(0);
      expect(host.stdout).not.toMatch(/busybox/);
      const r = await agent('session', '--node', '--ns', 'net', '--tools', 'host');
      expect(r.status).toBe(125);
      expect(r.stderr).toMatch(/^nsdebug-agent: --ns does not apply to --node[^\n]*\n$/);
    });

    it('ns: container and sandbox share net, not pid; the node entry is the shim', async () => {
      const r = await agent('ns', '--pod-uid', UID, '--container', `app=${CID}`);
      expect(r.stderr).toBe('');
      const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
      expect(lines.map((l) => l.slice(0, 3))).toEqual([
        ['container', 'app', String(containerPid)],
        ['sandbox', 'sandbox', String(sandboxPid)],
        ['node', 'node', expect.stringMatching(/^[1-9][0-9]*$/)],
      ]);
      const inode = (type: string, pid: number | 'self') => `${type}:${nsOf(pid, type).replace(/^.*\[(\d+)\]$/, '$1')}`;
      const types = ['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time'];
      expect(lines[0]?.[3]).toBe(types.map((t) => inode(t, containerPid)).join(' '));
      expect(lines[1]?.[3]).toBe(types.map((t) => inode(t, sandboxPid)).join(' '));
      expect(lines[2]?.[3]).toContain(inode('net', 'self'));
    });

    it('stats: the container cgroup files, with the memory limit set on it', async () => {
      const r = await agent('stats', '--pod-uid', UID, '--container-id', CID);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^### cgroup-version 1\n### pid ${containerPid}\n`));
      expect(r.stdout).toContain('\n### v1/memory/memory.limit_in_bytes\n67108864\n');
      expect(r.stdout).toMatch(/\n### v1\/pids\/pids.current\n2\n/);
      expect(r.stdout).toMatch(/\n### v1\/cpu\/cpu.cfs_quota_us\n-1\n/);
      expect(r.stdout).toMatch(/\n### proc\/net\/dev\n[^#]*\n\s*lo:[^#]*### proc\/status\nName:\tsleep\n/);
      expect(r.stdout).not.toMatch(/eth0|ens\d/);
      expect(r.stdout).toMatch(/\n### proc\/meminfo\nMemTotal: /);
    });

    it('registers every session for serve', () => {
      expect(readdirSync(join(dir, 'run', 'sessions')).every((f) => /^[0-9]+$/.test(f))).toBe(true);
      expect(readdirSync(join(dir, 'run', 'sessions')).length).toBeGreaterThan(0);
    });
  });
});

// Issue 11, finding 3: a target may write anything into its own comm, as
// `printf 'x\ny' > /proc/self/comm` does. Its init must still be the one found,
// not a process exec'd into the container later (here one from the node, so
// entering it would enter the node's namespaces) and not nothing (exit 124).
describe.skipIf(!IS_ROOT)('agent on a real pod whose init wrote a newline into its comm', () => {
  const uid = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const sid = hex(64);
  const cid = hex(64);
  const COMM = 'x\ny) (z';
  const containerCgroup = `${CGROUP_ROOT}/kubepods/burstable/pod${uid}/${cid}`;
  let pod: FakePod | undefined;
  let late: ChildProcess | undefined;
  const env = (): NodeJS.ProcessEnv => ({ PATH: `${pod?.bin ?? ''}:${process.env.PATH ?? ''}`, NSDEBUG_RUN: join(pod?.dir ?? '', 'run'), NSDEBUG_HOST_ROOT: '/' });
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 250 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!ok()) throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    pod = startFakePod('nsdebug-agent-comm-', uid, sid, cid, COMM);
    const initPid = pod.containerPid;
    await until('the init to write its comm', () => readFileSync(`/proc/${initPid}/comm`, 'utf8') === `${COMM}\n`);
    // Like kubectl exec: later than the init, in the container's cgroups, parent outside.
    late = spawn('sh', ['-c', 'for c in $1; do echo $$ > "/sys/fs/cgroup/$c$2/cgroup.procs"; done; exec sleep 60', 'sh', 'memory pids cpu cpuacct cpuset blkio unified', containerCgroup], { stdio: 'ignore' });
    const latePid = late.pid;
    await until('the late process to join the container', () => readFileSync(`/sys/fs/cgroup/pids${containerCgroup}/cgroup.procs`, 'utf8').split('\n').includes(String(latePid)));
  }, 30_000);

  afterAll(() => {
    late?.kill('SIGKILL');
    if (pod) stopFakePod(pod, uid);
    if (existsSync(`/sys/fs/cgroup/pids${CGROUP_ROOT}/kubepods/burstable/pod${uid}`)) throw new Error('cleanup left the pod cgroup');
  }, 30_000);

  it('the init really has a newline in its comm, and its stat has more than one line', () => {
    expect(readFileSync(`/proc/${pod?.containerPid}/stat`, 'utf8')).toMatch(/^\d+ \(x\ny\) \(z\) S /);
  });

  describe.each(SHELLS)('under $name', (shell) => {
    it('pid finds the init, not the later process', async () => {
      expect(await runAgent(shell, ['pid', '--pod-uid', uid, '--container-id', cid], env())).toEqual({ status: 0, stdout: `${pod?.containerPid}\n`, stderr: '' });
    });

    it("a session enters the init's namespaces: the pod's hostname, its PID 1", async () => {
      const r = await runAgent(shell, ['session', '--pod-uid', uid, '--container-id', cid, '--ns', 'uts,pid', '--tools', 'helper', '--', 'sh', '-c', 'hostname; cat /proc/1/comm'], env());
      expect(r).toEqual({ status: 0, stdout: `pod-x\n${COMM}\n`, stderr: '' });
    });
  });
});
