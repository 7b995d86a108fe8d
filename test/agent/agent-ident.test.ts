// --tools target (issue 11, finding 2): how the agent reads the target's identity
// (/proc/PID/status, environ, cgroup: hostile text) and what it would run, under
// every shell. A fake /proc and cgroupfs; NSDEBUG_DRY_RUN prints the cgroups to join
// and the argv instead of running them (test/e2e/ident.test.ts runs them for real).
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT } from '../../src/agent/argv.js';
import { makeBusyboxBin, removeDir, runAgent, SHELLS, tempDir } from './helpers.js';

const UID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const CID = 'c0ffee'.padEnd(64, '1');
const SETUP = '+cap_18,+cap_19,+cap_21';
const HEAD = `/kubepods/besteffort/pod${UID}/${CID}`;

interface Target {
  readonly status: string;
  readonly environ?: string;
  readonly cgroup?: string;
}

/** A /proc/PID/status with these identity lines; NAME is the Name: line's text. */
function status(o: { name?: string; uid?: string; gid?: string; groups?: string; inh?: string; prm?: string; eff?: string; bnd?: string; amb?: string; nnp?: string }): string {
  return [
    `Name:\t${o.name ?? 'sleep'}`, 'Umask:\t0022', 'State:\tS (sleeping)',
    `Uid:\t${o.uid ?? '1000\t1000\t1000\t1000'}`, `Gid:\t${o.gid ?? '3000\t3000\t3000\t3000'}`,
    `Groups:\t${o.groups ?? '3000 4000 5000 '}`,
    `CapInh:\t${o.inh ?? '0000000000000000'}`, `CapPrm:\t${o.prm ?? '0000000000000000'}`, `CapEff:\t${o.eff ?? '0000000000000000'}`,
    `CapBnd:\t${o.bnd ?? '0000000000000000'}`, `CapAmb:\t${o.amb ?? '0000000000000000'}`,
    `NoNewPrivs:\t${o.nnp ?? '1'}`, 'Seccomp:\t2', '',
  ].join('\n');
}

const V1 = ['12:freezer', '11:memory', '10:cpu', '9:name=systemd'].map((l) => `${l}:${HEAD}`).concat('8:rdma:/', `0::${HEAD}`).join('\n') + '\n';

let dir: string;
let bin: string;
let applets: string;
let n = 0;

/** A fresh fake /proc with the target as PID 300 and cgroupfs roots (v1 hybrid and v2). */
function makeProc(target: Target): { proc: string; v1: string; v2: string } {
  const root = join(dir, `t${n++}`);
  const proc = join(root, 'proc');
  const stat = (pid: number, ppid: number) => `${pid} (sleep) S ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${pid} 0 0\n`;
  mkdirSync(join(proc, '90'), { recursive: true });
  writeFileSync(join(proc, '90', 'cgroup'), '0::/system.slice/containerd.service\n');
  writeFileSync(join(proc, '90', 'stat'), stat(90, 1));
  const t = join(proc, '300');
  mkdirSync(join(t, 'ns'), { recursive: true });
  mkdirSync(join(t, 'root', 'bin'), { recursive: true });
  writeFileSync(join(t, 'root', 'bin', 'sh'), '');
  chmodSync(join(t, 'root', 'bin', 'sh'), 0o755);
  writeFileSync(join(t, 'cgroup'), target.cgroup ?? V1);
  writeFileSync(join(t, 'stat'), stat(300, 90));
  writeFileSync(join(t, 'status'), target.status);
  writeFileSync(join(t, 'environ'), target.environ ?? 'PATH=/usr/bin:/bin\0HOME=/\0');
  writeFileSync(join(t, 'mountinfo'), '1 0 0:1 / / rw - overlay overlay rw\n2 1 0:2 / /proc rw - proc proc rw\n');
  for (const [i, type] of ['net', 'mnt', 'uts'].entries()) symlinkSync(`${type}:[${4026532000 + i}]`, join(t, 'ns', type));
  mkdirSync(join(proc, 'self'));
  writeFileSync(join(proc, 'self', 'status'), 'CapBnd:\t000001ffffffffff\n');
  mkdirSync(join(proc, 'sys', 'kernel'), { recursive: true });
  writeFileSync(join(proc, 'sys', 'kernel', 'cap_last_cap'), '40\n');
  // v1 hybrid: one directory per hierarchy, the unified one below; v2: one root.
  const v1 = join(root, 'cg1');
  for (const h of ['freezer', 'memory', 'cpu', 'systemd', 'unified']) {
    mkdirSync(join(v1, h, HEAD), { recursive: true });
    writeFileSync(join(v1, h, HEAD, 'cgroup.procs'), '');
  }
  writeFileSync(join(v1, 'freezer', HEAD, 'freezer.state'), 'THAWED\n');
  writeFileSync(join(v1, 'unified', HEAD, 'cgroup.freeze'), '0\n');
  const v2 = join(root, 'cg2');
  mkdirSync(join(v2, HEAD), { recursive: true });
  writeFileSync(join(v2, 'cgroup.controllers'), 'cpu memory pids\n');
  writeFileSync(join(v2, HEAD, 'cgroup.procs'), '');
  writeFileSync(join(v2, HEAD, 'cgroup.freeze'), '0\n');
  return { proc, v1, v2 };
}

beforeAll(() => {
  dir = tempDir('nsdebug-agent-ident-');
  // The helper image: the host's static busybox, util-linux setpriv and nsenter.
  bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync('/bin/busybox', join(bin, 'busybox'));
  symlinkSync('/usr/bin/setpriv', join(bin, 'setpriv'));
  symlinkSync('/usr/bin/nsenter', join(bin, 'nsenter'));
  // Busybox's applets only (its setpriv among them), for images without util-linux.
  applets = makeBusyboxBin(join(dir, 'applets'));
  // The shells under test, alone (the host's PATH would offer its util-linux setpriv).
  const shells = join(dir, 'shells');
  mkdirSync(shells);
  for (const sh of ['busybox', 'dash', 'bash']) {
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', sh], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(shells, sh));
  }
  applets = `${applets}:${shells}`;
});
afterAll(() => removeDir(dir));

describe.concurrent.each(SHELLS)('--tools target, under $name', (shell) => {
  async function session(target: Target, opts: { cgroupRoot?: 'v1' | 'v2'; path?: string; command?: string[] } = {}) {
    const { proc, v1, v2 } = makeProc(target);
    // The shell by its absolute path: PATH may name another program busybox.
    const [program, ...rest] = shell.argv;
    const absolute = { ...shell, argv: [spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program ?? 'sh'], { encoding: 'utf8' }).stdout.trim(), ...rest] };
    const r = await runAgent(absolute, ['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'net,uts', '--tools', 'target', '--label', 'pod/x:app', '--', ...(opts.command ?? ['sh', '-c', 'id'])], {
      PATH: opts.path ?? `${bin}:${process.env.PATH}`,
      NSDEBUG_PROC: proc,
      NSDEBUG_RUN: join(proc, 'run'),
      NSDEBUG_HOST_ROOT: join(proc, 'no-host'),
      NSDEBUG_CGROUP_ROOT: opts.cgroupRoot === 'v2' ? v2 : v1,
      NSDEBUG_DRY_RUN: '1',
      TERM: 'xterm-256color',
    });
    const entries = r.stdout.split('\0').slice(0, -1);
    const cgroups = entries.filter((e) => e.startsWith('cgroup:')).map((e) => e.slice('cgroup:'.length).replace(opts.cgroupRoot === 'v2' ? v2 : v1, 'CG'));
    const argv = entries.filter((e) => !e.startsWith('cgroup:')).map((a) => a.replace(dir, 'DIR').replace(/\/proc\/@HOLDER@\/root\S*busybox/, 'HOLDER/busybox'));
    return { ...r, cgroups, argv };
  }

  const after = (argv: readonly string[], flag: string) => argv[argv.indexOf(flag) + 1];

  it('uid 1000, drop ALL, no_new_privs: drops to exactly that, in every cgroup of the container, with its environment', async () => {
    // The kernel shows a comm's newline as \n and keeps its spaces: nothing forged.
    const environ = 'PATH=/usr/bin:/bin\0NOTE=two\nlines and  spaces\0no-equals-sign\0=nameless\0APP_MODE=calm waters\0';
    const r = await session({ status: status({ name: 'x\\nUid:\\t0\\t0 with  spaces' }), environ });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.cgroups).toEqual(['freezer', 'memory', 'cpu', 'systemd', 'unified'].map((h) => `CG/${h}${HEAD}`));
    const a = r.argv;
    expect(a.slice(0, 5)).toEqual(['DIR/bin/busybox', 'setpriv', '--inh-caps', SETUP, '--']);
    expect(a.slice(5, 26)).toEqual([
      'DIR/bin/setpriv', '--ruid', '1000', '--euid', '1000', '--rgid', '3000', '--egid', '3000', '--groups', '3000,4000,5000',
      '--bounding-set', '-all', '--inh-caps', `-all,${SETUP}`, '--ambient-caps', `-all,${SETUP}`, '--nnp', '--', 'DIR/bin/nsenter', '-t',
    ]);
    expect(a.slice(26, 31)).toEqual(['300', '-n', '-u', '-m', '-w']);
    const none = Array.from({ length: 41 }, (_, i) => `-cap_${i}`).join(',');
    expect(a.slice(31, 43)).toEqual(['--', 'HOLDER/busybox', 'setpriv', '--inh-caps', none, '--ambient-caps', none, '--', 'HOLDER/busybox', 'env', '-i', '--']);
    expect(a.slice(43)).toEqual(['PATH=/usr/bin:/bin', 'NOTE=two\nlines and  spaces', 'APP_MODE=calm waters', 'PS1=[pod/x:app] # ', 'NSDEBUG_TARGET_ROOT=/', 'TERM=xterm-256color', '/bin/sh', '-c', 'id']);
  });

  it('a root target with the runtime\'s default set: that bounding set, no no_new_privs', async () => {
    const caps = '00000000a80425fb';
    const r = await session({ status: status({ uid: '0\t0\t0\t0', gid: '0\t0\t0\t0', groups: '0 1 2', prm: caps, eff: caps, bnd: caps, nnp: '0' }) });
    expect(r.status).toBe(0);
    const bits = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];
    expect(after(r.argv, '--bounding-set')).toBe(`-all,${bits.map((b) => `+cap_${b}`).join(',')}`);
    expect(r.argv).toContain('--ruid');
    expect(after(r.argv, '--groups')).toBe('0,1,2');
    expect(r.argv).not.toContain('--nnp');
    expect(r.stderr).toBe('');
  });

  it('a root process that holds less than its bounding set: the bounding set narrowed to what it holds, with a note', async () => {
    const r = await session({ status: status({ uid: '0\t0\t0\t0', prm: '0000000000000001', eff: '0000000000000001', bnd: '00000000a80425fb', nnp: '0' }) });
    expect(r.status).toBe(0);
    expect(after(r.argv, '--bounding-set')).toBe('-all,+cap_0');
    expect(r.stderr).toMatch(/^nsdebug-agent: note: the target's init runs with fewer capabilities than its bounding set allows/);
  });

  it('a forged identity line (a raw newline in the status text) or a malformed value: refused, exit 124', async () => {
    for (const bad of [
      status({}).replace('Name:\tsleep', 'Name:\tx\nUid:\t0\t0\t0\t0'),
      status({ eff: '00000000A80425FB' }),
      status({ uid: '1000\t1000\t1000' }),
      status({ groups: '3000 -1' }),
      status({}).replace(/^NoNewPrivs:.*\n/m, ''),
    ]) {
      const r = await session({ status: bad });
      expect(r.status).toBe(AGENT_EXIT.notFound);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^nsdebug-agent: cannot read the identity of process 300 /);
    }
  });

  it('a frozen container (catch): stays out of its v1 freezer cgroup, and refuses a frozen v2 one', async () => {
    const frozen = await (async () => {
      const { proc, v1 } = makeProc({ status: status({}) });
      writeFileSync(join(v1, 'freezer', HEAD, 'freezer.state'), 'FROZEN\n');
      const r = await runAgent(shell, ['session', '--pod-uid', UID, '--container-id', CID, '--tools', 'target', '--', 'sh'], {
        PATH: `${bin}:${process.env.PATH}`, NSDEBUG_PROC: proc, NSDEBUG_RUN: join(proc, 'run'), NSDEBUG_HOST_ROOT: join(proc, 'no-host'), NSDEBUG_CGROUP_ROOT: v1, NSDEBUG_DRY_RUN: '1',
      });
      return { ...r, cgroups: r.stdout.split('\0').filter((e) => e.startsWith('cgroup:')).map((e) => e.slice(e.lastIndexOf('cg1/') + 4).split('/')[0]) };
    })();
    expect(frozen.status).toBe(0);
    expect(frozen.cgroups).toEqual(['memory', 'cpu', 'systemd', 'unified']);
    expect(frozen.stderr).toContain('the container is frozen: the session stays out of its freezer cgroup');

    const v2 = `0::${HEAD}\n`;
    const thawed = await session({ status: status({}), cgroup: v2 }, { cgroupRoot: 'v2' });
    expect(thawed.status).toBe(0);
    expect(thawed.cgroups).toEqual([`CG${HEAD}`]);
    const { proc, v2: root } = makeProc({ status: status({}), cgroup: v2 });
    writeFileSync(join(root, HEAD, 'cgroup.freeze'), '1\n');
    const r = await runAgent(shell, ['session', '--pod-uid', UID, '--container-id', CID, '--tools', 'target', '--', 'sh'], {
      PATH: `${bin}:${process.env.PATH}`, NSDEBUG_PROC: proc, NSDEBUG_RUN: join(proc, 'run'), NSDEBUG_HOST_ROOT: join(proc, 'no-host'), NSDEBUG_CGROUP_ROOT: root, NSDEBUG_DRY_RUN: '1',
    });
    expect(r.status).toBe(AGENT_EXIT.targetTools);
    expect(r.stderr).toMatch(/^error: --tools target cannot join the frozen container's cgroup v2 [^\n]*; use --tools helper [^\n]*\n$/);
  });

  it('no cgroupfs where the agent looks: one error line, exit 120', async () => {
    const { proc } = makeProc({ status: status({}) });
    const r = await runAgent(shell, ['session', '--pod-uid', UID, '--container-id', CID, '--tools', 'target', '--', 'sh'], {
      PATH: `${bin}:${process.env.PATH}`, NSDEBUG_PROC: proc, NSDEBUG_RUN: join(proc, 'run'), NSDEBUG_HOST_ROOT: join(proc, 'no-host'), NSDEBUG_CGROUP_ROOT: join(proc, 'nothing'), NSDEBUG_DRY_RUN: '1',
    });
    expect(r.status).toBe(AGENT_EXIT.targetTools);
    expect(r.stderr).toMatch(/^error: --tools target cannot find the target's freezer cgroup .*NSDEBUG_CGROUP_ROOT.*\n$/);
  });

  it('a target that could gain CAP_SYS_ADMIN or CAP_SYS_PTRACE without being privileged: refused', async () => {
    const r = await session({ status: status({ bnd: '00000000a82c25fb' }) });
    expect(r.status).toBe(AGENT_EXIT.targetTools);
    expect(r.stderr).toMatch(/^error: --tools target will not enter a target that can gain CAP_SYS_ADMIN or CAP_SYS_PTRACE .*; use --tools helper .*\n$/);
    // A privileged one (every capability) owns the node anyway.
    const privileged = await session({ status: status({ uid: '0\t0\t0\t0', prm: '000001ffffffffff', eff: '000001ffffffffff', bnd: '000001ffffffffff', nnp: '0' }) });
    expect(privileged.status).toBe(0);
  });

  it('a program not on the container\'s PATH: 127, as a shell says it', async () => {
    const r = await session({ status: status({}) }, { command: ['bash'] });
    expect(r.status).toBe(127);
    expect(r.stderr).toBe("nsdebug-agent: bash: not found along the container's PATH (/usr/bin:/bin)\n");
  });

  it('images that cannot: no util-linux setpriv, or a busybox that loads libraries: one error line each, exit 120', async () => {
    const noSetpriv = join(dir, `no-setpriv-${shell.argv[0]}`);
    mkdirSync(noSetpriv);
    symlinkSync('/bin/busybox', join(noSetpriv, 'busybox'));
    symlinkSync('/bin/busybox', join(noSetpriv, 'setpriv'));
    symlinkSync('/usr/bin/nsenter', join(noSetpriv, 'nsenter'));
    const a = await session({ status: status({}) }, { path: `${noSetpriv}:${applets}` });
    expect(a.status).toBe(AGENT_EXIT.targetTools);
    expect(a.stderr).toMatch(/^error: --tools target needs util-linux setpriv in the helper image [^\n]*; run with --image IMAGE [^\n]*or use --tools helper\n$/);

    const dynamic = join(dir, `dynamic-${shell.argv[0]}`);
    mkdirSync(dynamic);
    symlinkSync('/bin/ls', join(dynamic, 'busybox'));
    const b = await session({ status: status({}) }, { path: `${dynamic}:${applets}` });
    expect(b.status).toBe(AGENT_EXIT.targetTools);
    expect(b.stderr).toMatch(/^error: --tools target needs a static busybox in the helper image \([^\n]*loads libraries[^\n]*\); [^\n]*\n$/);
  });
});
