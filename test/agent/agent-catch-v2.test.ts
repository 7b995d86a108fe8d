// Mode catch on a host laid out as pure cgroup v2 (cgroup.controllers at the
// root, cgroup.freeze and cgroup.events in every cgroup), as a fixture: this
// machine runs cgroup v1 (agent-catch.test.ts freezes for real there, and on
// its unified v2 hierarchy). A fake /proc plays the runtime's stages and this
// test plays the kernel: it reports `frozen 1` in cgroup.events once the agent
// writes 1 to cgroup.freeze.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT } from '../../src/agent/argv.js';
import { SHELLS, removeDir, runAgent, tempDir, watchAgent } from './helpers.js';

const UID = '5e1f0c2a-9b7d-4e3f-8a21-6c0d4b9e7f13';
const SID = 'a'.repeat(64);
const CID = 'c'.repeat(64);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stat = (pid: number, ppid: number, start: number, state = 'S') =>
  `${pid} (x) ${state} ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 ${start} 0 0\n`;
// What a process of the node sees, and what the container's init sees after
// runc's pivot_root: the kubelet's termination-message file among its mounts.
const NODE_MOUNTS = '22 1 0:21 / / rw - ext4 /dev/sda1 rw\n23 22 0:5 / /proc rw - proc proc rw\n';
const CONTAINER_MOUNTS = [
  '900 800 0:70 / / rw - overlay overlay rw',
  '901 900 0:71 / /proc rw - proc proc rw',
  `902 900 8:1 /var/lib/kubelet/pods/${UID}/volumes/kubernetes.io~configmap/config /config ro - ext4 /dev/sda1 rw`,
  `903 900 8:1 /var/lib/kubelet/pods/${UID}/containers/app/7f3a9c21 /dev/termination-log rw - ext4 /dev/sda1 rw`,
  '',
].join('\n');

let root: string;
beforeAll(() => {
  root = tempDir('nsdebug-agent-catch-v2-');
});
afterAll(() => removeDir(root));

describe.concurrent.each(SHELLS)('catch on a cgroup v2 fixture, under $name', (shell) => {
  /** A fresh fixture: the node, the pod's sandbox, its cgroup tree. */
  function fixture(name: string) {
    const base = join(root, `${shell.argv[0]}-${name}`);
    const proc = join(base, 'proc');
    const host = join(base, 'host');
    const cg = join(host, 'sys/fs/cgroup');
    const pod = join(cg, `kubepods/burstable/pod${UID}`);
    const put = (path: string, text: string | Buffer) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
    };
    put(join(cg, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    put(join(pod, 'cgroup.freeze'), '0\n');
    put(join(pod, SID, 'cgroup.procs'), '100\n');
    put(join(pod, SID, 'cgroup.freeze'), '0\n');
    put(join(proc, 'uptime'), '1000.00 1800.00\n');
    for (const [pid, ppid, cgroup] of [
      [90, 1, '0::/system.slice/containerd.service'],
      [190, 1, '0::/system.slice/containerd.service'],
      [100, 90, `0::/kubepods/burstable/pod${UID}/${SID}`],
    ] as const) {
      put(join(proc, String(pid), 'cgroup'), `${cgroup}\n`);
      put(join(proc, String(pid), 'stat'), stat(pid, ppid, 500));
    }
    const env = { PATH: process.env.PATH, NSDEBUG_PROC: proc, NSDEBUG_HOST_ROOT: host, NSDEBUG_RUN: join(base, 'run') };
    return { proc, pod, put, env, run: join(base, 'run') };
  }

  it("waits for the entrypoint's exec, freezes through cgroup.freeze, prints the environment made visible, thaws", async () => {
    const { proc, pod, put, env, run } = fixture('catch');
    const agent = watchAgent(shell, ['catch', '--pod-uid', UID, '--container-name', 'app', '--print-env', '--timeout', '20'], env);
    // The kernel: cgroup.events follows cgroup.freeze.
    const ctr = join(pod, CID);
    const kernel = setInterval(() => {
      if (!existsSync(join(ctr, 'cgroup.freeze'))) return;
      const frozen = readFileSync(join(ctr, 'cgroup.freeze'), 'utf8').trim() === '1' ? 1 : 0;
      writeFileSync(join(ctr, 'cgroup.events'), `populated 1\nfrozen ${frozen}\n`);
    }, 5);
    try {
      await agent.waitStderr(/^nsdebug-catch: waiting freezer=v2 timeout=20$/m);
      // runc create: the cgroup, then runc's init in it, the node's mounts still.
      put(join(ctr, 'cgroup.freeze'), '0\n');
      put(join(ctr, 'cgroup.events'), 'populated 0\nfrozen 0\n');
      put(join(ctr, 'cgroup.procs'), '');
      const p = join(proc, '200');
      put(join(p, 'cgroup'), `0::/kubepods/burstable/pod${UID}/${CID}\n`);
      put(join(p, 'stat'), stat(200, 190, 99_990));
      put(join(p, 'comm'), 'exe\n');
      put(join(p, 'cmdline'), '/usr/bin/runc\0init\0');
      put(join(p, 'mountinfo'), NODE_MOUNTS);
      put(join(ctr, 'cgroup.procs'), '200\n');
      await sleep(300);
      // Its later stages: the container's mounts, runc's name for itself.
      put(join(p, 'mountinfo'), CONTAINER_MOUNTS);
      put(join(p, 'comm'), 'runc:[2:INIT]\n');
      await sleep(300);
      expect(readFileSync(join(ctr, 'cgroup.freeze'), 'utf8')).toBe('0\n'); // runc init is never frozen
      // runc start: the entrypoint's exec.
      put(join(p, 'environ'), 'PATH=/bin\0APP_MODE=fixture\0APP_ESC=\x1b]0;pwned\x07\\\0');
      put(join(p, 'cmdline'), '/app\0--port=80\0');
      put(join(p, 'comm'), 'app\n');
      const { code } = await agent.done;
      expect(agent.stderr()).toMatch(
        new RegExp(
          `^nsdebug-catch: frozen container=${CID} pid=200 state=S procs=1 cpu_ticks=7 started=99990 frozen=100000 hz=\\d+ ` +
            'start_to_freeze_ms=\\d+ seen_to_freeze_ms=0 settle_ms=0$',
          'm',
        ),
      );
      expect(code).toBe(0);
      expect(agent.stdout()).toBe(
        'cmdline\t/app\ncmdline\t--port=80\nenv\tPATH=/bin\nenv\tAPP_MODE=fixture\nenv\tAPP_ESC=\\x1b]0;pwned\\x07\\\\\n',
      );
      expect(agent.stderr()).toMatch(new RegExp(`^nsdebug-catch: released container=${CID} action=thaw frozen_ms=0$`, 'm'));
      expect(readFileSync(join(ctr, 'cgroup.freeze'), 'utf8')).toBe('0\n');
      expect(readdirSync(join(run, 'frozen'))).toEqual([]);
    } finally {
      clearInterval(kernel);
    }
  });

  it('a kernel without the v2 freezer (before Linux 5.2): exit 123', async () => {
    const { pod, env } = fixture('old-kernel');
    rmSync(join(pod, 'cgroup.freeze'));
    const r = await runAgent(shell, ['catch', '--pod-uid', UID, '--container-name', 'app', '--print-env'], env);
    expect(r.status).toBe(AGENT_EXIT.unsupportedNamespace);
    expect(r.stderr).toMatch(/^nsdebug-agent: the kernel has no v2 cgroup freezer \(.*cgroup\.freeze is missing; v2 needs Linux 5\.2\)\n$/);
  });

  it('a pod not on this node: exit 124', async () => {
    const { env } = fixture('elsewhere');
    const r = await runAgent(shell, ['catch', '--pod-uid', '0'.repeat(8) + UID.slice(8), '--container-name', 'app', '--print-env'], env);
    expect(r.status).toBe(AGENT_EXIT.notFound);
    expect(r.stderr).toMatch(/^nsdebug-agent: no process of pod .* found on this node; [^\n]*\n$/);
  });
});
