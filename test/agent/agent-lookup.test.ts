// The agent's PID lookup, `ns` and `stats` dumps and input validation, run
// under every shell against fake /proc trees built from the cgroup fixtures.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, FIXTURES, SHELLS, fixtureLayouts, makeBusyboxBin, removeDir, runAgent, tempDir } from './helpers.js';

const UID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OTHER_UID = '99999999-8888-7777-6666-555555555555';
const CID = 'c0ffee'.padEnd(64, '1');
const CID2 = 'beef'.padEnd(64, '2');
const SID = '5a4d'.padEnd(64, '3');
// Issue 11, finding 3: a neighbour's container, and two of ours whose init wrote its comm.
const NID = 'd00d'.padEnd(64, '4');
const CID3 = 'ca3'.padEnd(64, '5');
const CID4 = 'ca4'.padEnd(64, '6');

interface FakeProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly start: number;
  readonly cgroup: string;
  readonly comm?: string;
  /** net, pid... inodes; absent: /proc/PID/ns unreadable (like PID 1 here). */
  readonly ns?: Partial<Record<string, number>>;
}

function fill(template: string, uid: string, id: string): string {
  return template.replaceAll('{UID_}', uid.replaceAll('-', '_')).replaceAll('{UID}', uid).replaceAll('{ID}', id);
}

function fixture(name: string): string {
  return readFileSync(join(FIXTURES, `${name}.cgroup`), 'utf8');
}

function writeProc(root: string, procs: readonly FakeProcess[]): void {
  for (const p of procs) {
    const dir = join(root, String(p.pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup'), p.cgroup);
    // Fields 3..22 of /proc/PID/stat; starttime last. comm may hold ") ".
    const fields = ['S', p.ppid, p.pid, p.pid, 0, -1, 4194560, 100, 0, 0, 0, 1, 1, 0, 0, 20, 0, 1, 0, p.start];
    writeFileSync(join(dir, 'stat'), `${p.pid} (${p.comm ?? 'sleep'}) ${fields.join(' ')} 1000 200 18446744073709551615\n`);
    // status escapes the name as the kernel does: one line whatever comm holds.
    const name = (p.comm ?? 'sleep').replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
    writeFileSync(join(dir, 'status'), `Name:\t${name}\nPid:\t${p.pid}\nPPid:\t${p.ppid}\nNSpid:\t${p.pid}\t1\n`);
    if (p.ns !== undefined) {
      mkdirSync(join(dir, 'ns'));
      for (const [type, inode] of Object.entries(p.ns)) symlinkSync(`${type}:[${inode}]`, join(dir, 'ns', type));
    }
  }
}

/** One pod in LAYOUT: shim 90; sandbox 200 (child 199); containers 250 (CID2) and 300 (CID, child 299, exec'd 302). */
function podProcesses(layout: string): FakeProcess[] {
  const t = fixture(layout);
  const node = fixture('node');
  const ns = (net: number, pid: number) => ({ net, pid, mnt: pid + 1, uts: net + 1, ipc: net + 2, user: 4026531837, cgroup: 4026531835 });
  const procs: FakeProcess[] = [
    { pid: 1, ppid: 0, start: 1, cgroup: node },
    { pid: 90, ppid: 1, start: 90, cgroup: node, ns: ns(4026531833, 4026531836) },
    // Substring decoys: the ids appear, but not as a component of their own.
    { pid: 95, ppid: 1, start: 95, cgroup: `0::/system.slice/x${CID}y.scope\n0::/pod${UID}x/${SID}\n` },
    // The same ids in another pod must not count as this pod's sandbox.
    { pid: 110, ppid: 1, start: 110, cgroup: fill(t, OTHER_UID, SID) },
    { pid: 200, ppid: 90, start: 200, cgroup: fill(t, UID, SID), comm: 'pause', ns: ns(4026532100, 4026532200) },
    // Same start tick, lower PID (PIDs wrap): only the parent check rules it out.
    { pid: 199, ppid: 200, start: 200, cgroup: fill(t, UID, SID) },
    // Earlier than the sandbox: only --exclude keeps it from being taken for it.
    { pid: 250, ppid: 90, start: 190, cgroup: fill(t, UID, CID2), ns: ns(4026532100, 4026532300) },
    { pid: 300, ppid: 90, start: 300, cgroup: fill(t, UID, CID), comm: 'odd) (name', ns: ns(4026532100, 4026532400) },
    { pid: 299, ppid: 300, start: 300, cgroup: fill(t, UID, CID) },
    // kubectl exec: parent outside the container, started later than its init.
    { pid: 302, ppid: 90, start: 400, cgroup: fill(t, UID, CID) },
  ];
  for (const conmon of [`${layout}.conmon`]) {
    try {
      procs.push({ pid: 150, ppid: 1, start: 150, cgroup: fill(fixture(conmon), UID, SID) });
    } catch {
      // this layout has no conmon
    }
  }
  return procs;
}

/**
 * TEMPLATE's lines for container OUTER_ID of pod OUTER_UID, each with a cgroup made below
 * it and named as INNER's would be: from its pod component on ('pod'), or only its
 * container component ('container'). What a neighbour that may create cgroups in its own
 * subtree can do. Lines outside every pod stay as they are.
 */
function nested(template: string, outer: [string, string], inner: [string, string], from: 'pod' | 'container'): string {
  return template
    .split('\n')
    .map((line) => {
      const path = line.split(':').slice(2).join(':');
      if (!path.includes('{UID')) return line;
      const parts = path.split('/');
      const at = parts.findIndex((c) => c.includes(from === 'pod' ? '{UID' : '{ID}'));
      return `${fill(line, ...outer)}/${fill(parts.slice(at).join('/'), ...inner)}`;
    })
    .join('\n');
}

/**
 * podProcesses plus the attacks of issue 11, finding 3, all started before the real
 * processes they imitate, with a parent outside the pod (as an init's):
 * cgroups named after our pod or containers outside their own place (101-104, 195);
 * containers CID3 (init 400 with a newline and ") (" in its comm, child 401, exec'd 402)
 * and CID4 (init 500 whose comm imitates stat fields, child 501).
 */
function attackProcesses(layout: string): FakeProcess[] {
  const t = fixture(layout);
  return [
    ...podProcesses(layout),
    { pid: 101, ppid: 90, start: 101, cgroup: nested(t, [OTHER_UID, NID], [UID, CID], 'pod') },
    { pid: 102, ppid: 90, start: 102, cgroup: nested(t, [OTHER_UID, NID], [UID, SID], 'pod') },
    { pid: 103, ppid: 90, start: 103, cgroup: fill(t, OTHER_UID, CID) },
    { pid: 104, ppid: 90, start: 104, cgroup: nested(t, [OTHER_UID, NID], [UID, CID], 'container') },
    // A sidecar (CID2) nests a cgroup named after CID: later than 250, so still not CID2's init.
    { pid: 195, ppid: 90, start: 195, cgroup: nested(t, [UID, CID2], [UID, CID], 'container') },
    { pid: 400, ppid: 90, start: 400, cgroup: fill(t, UID, CID3), comm: 'x\ny) (z' },
    { pid: 401, ppid: 400, start: 401, cgroup: fill(t, UID, CID3) },
    { pid: 402, ppid: 90, start: 450, cgroup: fill(t, UID, CID3) },
    { pid: 500, ppid: 90, start: 500, cgroup: fill(t, UID, CID4), comm: ') 1 2 3\n) (x' },
    { pid: 501, ppid: 500, start: 501, cgroup: fill(t, UID, CID4) },
  ];
}

/**
 * CRI-O as it runs: conmon, in the pod-level cgroup (cgroupfs) or in crio-conmon-ID.scope
 * (systemd), is the parent of each init: sandbox 200 (conmon 150), container 300 (conmon 151).
 */
function crioProcesses(layout: string): FakeProcess[] {
  const t = fixture(layout);
  const conmon = fixture(`${layout}.conmon`);
  return [
    { pid: 90, ppid: 1, start: 90, cgroup: fixture('node') },
    { pid: 150, ppid: 1, start: 150, cgroup: fill(conmon, UID, SID) },
    { pid: 151, ppid: 1, start: 151, cgroup: fill(conmon, UID, CID) },
    { pid: 200, ppid: 150, start: 200, cgroup: fill(t, UID, SID), comm: 'pause' },
    { pid: 300, ppid: 151, start: 300, cgroup: fill(t, UID, CID) },
    { pid: 301, ppid: 300, start: 301, cgroup: fill(t, UID, CID) },
  ];
}
const CRIO_LAYOUTS = ['v2-cgroupfs-crio', 'v2-systemd-crio'];

let dir: string;
let bin: string;
const env = (proc: string, hostRoot = join(dir, 'no-host')): NodeJS.ProcessEnv => ({
  PATH: `${bin}:${process.env.PATH ?? ''}`,
  NSDEBUG_PROC: proc,
  NSDEBUG_RUN: join(dir, 'run'),
  NSDEBUG_HOST_ROOT: hostRoot,
});

beforeAll(() => {
  dir = tempDir('nsdebug-agent-lookup-');
  bin = makeBusyboxBin(dir);
  for (const layout of fixtureLayouts()) {
    writeProc(join(dir, layout, 'proc'), podProcesses(layout));
    writeProc(join(dir, layout, 'attack-proc'), attackProcesses(layout));
  }
  for (const layout of CRIO_LAYOUTS) writeProc(join(dir, layout, 'crio-proc'), crioProcesses(layout));
});
afterAll(() => removeDir(dir));

it('is shellcheck-clean as POSIX sh', () => {
  const r = spawnSync('shellcheck', ['-s', 'sh', AGENT], { encoding: 'utf8' });
  expect(r.error, 'shellcheck is missing: apt-get install shellcheck').toBeUndefined();
  expect(r.stdout).toBe('');
  expect(r.status).toBe(0);
});

it('has a fixture for every layout the contract names', () => {
  expect(fixtureLayouts()).toEqual(
    expect.arrayContaining([
      'v1-cgroupfs-containerd',
      'v1-systemd-docker',
      'v2-systemd-containerd',
      'v2-systemd-crio',
      'v2-cgroupfs-crio',
      'v2-private-cgroupns',
    ]),
  );
});

describe.concurrent.each(SHELLS)('under $name', (shell) => {
  describe.each(fixtureLayouts())('%s', (layout) => {
    const proc = () => join(dir, layout, 'proc');
    const pid = async (...args: string[]) => runAgent(shell, ['pid', '--pod-uid', UID, ...args], env(proc()));

    it('finds the container init, not its child or an exec', async () => {
      expect(await pid('--container-id', CID)).toMatchObject({ status: 0, stdout: '300\n', stderr: '' });
      expect(await pid('--container-id', CID2)).toMatchObject({ status: 0, stdout: '250\n' });
    });

    it('finds the sandbox: earliest non-excluded process whose parent is outside the pod', async () => {
      expect(await pid('--sandbox', '--exclude', CID, '--exclude', CID2)).toMatchObject({ status: 0, stdout: '200\n', stderr: '' });
      expect(await pid('--sandbox', '--exclude', CID)).toMatchObject({ status: 0, stdout: '250\n' });
    });

    describe('issue 11, finding 3', () => {
      const attack = async (...args: string[]) => runAgent(shell, ['pid', '--pod-uid', UID, ...args], env(join(dir, layout, 'attack-proc')));

      it('a cgroup named after our pod or container outside its own place is not ours', async () => {
        expect(await attack('--container-id', CID)).toMatchObject({ status: 0, stdout: '300\n', stderr: '' });
        expect(await attack('--container-id', CID2)).toMatchObject({ status: 0, stdout: '250\n', stderr: '' });
        expect(await attack('--sandbox', '--exclude', CID, '--exclude', CID2)).toMatchObject({ status: 0, stdout: '200\n', stderr: '' });
        expect(await attack('--container-id', NID)).toMatchObject({ status: 124, stdout: '' });
      });

      it('an init whose comm holds a newline, ") " or stat-like fields is still found', async () => {
        expect(await attack('--container-id', CID3)).toMatchObject({ status: 0, stdout: '400\n', stderr: '' });
        expect(await attack('--container-id', CID4)).toMatchObject({ status: 0, stdout: '500\n', stderr: '' });
      });
    });

    it('exits 124 with one line for an id that is not there', async () => {
      const r = await pid('--container-id', 'd'.repeat(64));
      expect(r.status).toBe(124);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^nsdebug-agent: no process of container d{64} found on this node; [^\n]*\n$/);
    });
  });

  it.each(CRIO_LAYOUTS)('%s: inits whose parent is conmon, inside the pod, are found', async (layout) => {
    const pid = async (...args: string[]) => runAgent(shell, ['pid', '--pod-uid', UID, ...args], env(join(dir, layout, 'crio-proc')));
    expect(await pid('--sandbox', '--exclude', CID)).toMatchObject({ status: 0, stdout: '200\n', stderr: '' });
    expect(await pid('--container-id', CID)).toMatchObject({ status: 0, stdout: '300\n', stderr: '' });
  });

  it('ns: one line per container, the sandbox and the node (the shim when /proc/1/ns is unreadable)', async () => {
    const r = await runAgent(
      shell,
      ['ns', '--pod-uid', UID, '--container', `app=${CID}`, '--container', `side=${CID2}`, '--container', `gone=${'e'.repeat(64)}`],
      env(join(dir, 'v2-systemd-containerd', 'proc')),
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'container\tapp\t300\tnet:4026532100 pid:4026532400 mnt:4026532401 uts:4026532101 ipc:4026532102 user:4026531837 cgroup:4026531835 time:-',
        'container\tside\t250\tnet:4026532100 pid:4026532300 mnt:4026532301 uts:4026532101 ipc:4026532102 user:4026531837 cgroup:4026531835 time:-',
        'sandbox\tsandbox\t200\tnet:4026532100 pid:4026532200 mnt:4026532201 uts:4026532101 ipc:4026532102 user:4026531837 cgroup:4026531835 time:-',
        'node\tnode\t90\tnet:4026531833 pid:4026531836 mnt:4026531837 uts:4026531834 ipc:4026531835 user:4026531837 cgroup:4026531835 time:-',
        '',
      ].join('\n'),
    );
  });

  it('stats: cgroup v2 files through a private cgroup namespace path (/../..)', async () => {
    const host = join(dir, `host-v2-${shell.argv[0]}`);
    const cg = join(host, 'sys/fs/cgroup/kubepods.slice/kubepods-besteffort.slice', `kubepods-besteffort-pod${UID.replaceAll('-', '_')}.slice`, `cri-containerd-${CID}.scope`);
    mkdirSync(cg, { recursive: true });
    writeFileSync(join(cg, 'memory.max'), '67108864\n');
    writeFileSync(join(cg, 'cpu.max'), '50000 100000\n');
    writeFileSync(join(cg, 'cpuset.cpus.effective'), '');
    const proc = join(dir, 'v2-private-cgroupns', 'proc');
    const r = await runAgent(shell, ['stats', '--pod-uid', UID, '--container-id', CID], env(proc, host));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        '### cgroup-version 2',
        '### pid 300',
        '### v2/cpu.max',
        '50000 100000',
        '### v2/cpuset.cpus.effective',
        '### v2/memory.max',
        '67108864',
        '### proc/status',
        readFileSync(join(proc, '300', 'status'), 'utf8').trimEnd(),
        '',
      ].join('\n'),
    );
  });

  it('a mode whose node path this helper does not mount fails in one line, never with an empty result', async () => {
    const proc = join(dir, 'v1-cgroupfs-containerd', 'proc');
    const stats = await runAgent(shell, ['stats', '--pod-uid', UID, '--container-id', CID], env(proc));
    expect(stats.status).toBe(123);
    expect(stats.stdout).toBe('');
    expect(stats.stderr).toMatch(/^nsdebug-agent: this helper does not mount the node's \/sys\/fs\/cgroup at .*, which stats needs; run stats in a new helper/);
    const host = await runAgent(shell, ['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'net', '--tools', 'host', '--', 'true'], env(proc));
    expect(host.status).toBe(123);
    expect(host.stderr).toMatch(/this helper does not mount the node's \/ at \S*no-host, which --tools host needs/);
  });

  it('stats: cgroup v1 with co-mounted cpu,cpuacct', async () => {
    const host = join(dir, `host-v1-${shell.argv[0]}`);
    const path = `kubepods/burstable/pod${UID}/${CID}`;
    mkdirSync(join(host, 'sys/fs/cgroup/cpu,cpuacct', path), { recursive: true });
    mkdirSync(join(host, 'sys/fs/cgroup/memory', path), { recursive: true });
    writeFileSync(join(host, 'sys/fs/cgroup/cpu,cpuacct', path, 'cpu.cfs_quota_us'), '50000\n');
    writeFileSync(join(host, 'sys/fs/cgroup/cpu,cpuacct', path, 'cpuacct.usage'), '12345\n');
    writeFileSync(join(host, 'sys/fs/cgroup/memory', path, 'memory.limit_in_bytes'), '67108864\n');
    const proc = join(dir, 'v1-cgroupfs-containerd', 'proc');
    const r = await runAgent(shell, ['stats', '--pod-uid', UID, '--container-id', CID], env(proc, host));
    expect(r.stderr).toBe('');
    expect(r.stdout.split('### proc/')[0]).toBe(
      [
        '### cgroup-version 1',
        '### pid 300',
        '### v1/cpu/cpu.cfs_quota_us',
        '50000',
        '### v1/cpuacct/cpuacct.usage',
        '12345',
        '### v1/memory/memory.limit_in_bytes',
        '67108864',
        '',
      ].join('\n'),
    );
  });

  describe('input validation: exit 125 with one line', () => {
    it.each([
      [['pid', '--pod-uid', UID, '--container-id', 'ABCDEF123456'], /invalid container id 'ABCDEF123456'/],
      [['pid', '--pod-uid', UID, '--container-id', `${CID};reboot`], /invalid container id/],
      [['pid', '--pod-uid', UID, '--container-id', 'abc'], /invalid container id 'abc'/],
      [['pid', '--pod-uid', UID.toUpperCase(), '--sandbox'], /invalid pod uid/],
      [['pid', '--pod-uid', `${UID}0`, '--sandbox'], /invalid pod uid/],
      [['pid', '--pod-uid', UID.replaceAll('-', '_'), '--sandbox'], /invalid pod uid/],
      [['pid', '--pod-uid', UID, '--sandbox', '--exclude', '../..'], /invalid container id '..\/..' for --exclude/],
      [['pid', '--pod-uid', UID], /needs --container-id ID or --sandbox/],
      [['pid', '--container-id', CID], /needs --pod-uid/],
      [['pid', '--pod-uid', UID, '--container-id', CID, '--sandbox'], /not both/],
      [['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'net,bogus', '--tools', 'helper'], /unknown namespace 'bogus' in --ns; valid: net,pid,mnt,uts,ipc,user,cgroup,time or all/],
      [['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'net', '--tools', 'nope'], /unknown --tools 'nope'/],
      [['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'net', '--tools', 'helper', '--label', 'a;b'], /invalid --label/],
      [['session', '--pod-uid', UID, '--container-id', CID, '--ns', 'mnt', '--tools', 'helper'], /use --tools target/],
      [['session', '--node', '--tools', 'target'], /needs a pod target/],
      [['ns', '--pod-uid', UID, '--container', `Bad_Name=${CID}`], /invalid --container/],
      [['serve', '--idle', '1s'], /--idle needs a whole number/],
      [['serve', '--pod-uid', UID], /--pod-uid is not an option of mode serve/],
      [['frobnicate'], /unknown mode 'frobnicate'/],
      [[], /usage: /],
    ])('%j', async (args, message) => {
      const r = await runAgent(shell, args, env(join(dir, 'v2-systemd-containerd', 'proc')));
      expect(r.status).toBe(125);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^nsdebug-agent: [^\n]+\n$/);
      expect(r.stderr).toMatch(message);
    });
  });
});
