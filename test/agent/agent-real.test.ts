// The agent against a real pod made on this machine without Kubernetes:
// namespaces from unshare, cgroup directories laid out as the kubelet's
// cgroupfs driver does (test/agent/fake-pod.sh). Needs root.
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
