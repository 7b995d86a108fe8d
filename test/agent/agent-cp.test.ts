// cp_enter against a real container made here: its own mount and PID
// namespaces, pivot_root'ed into a directory holding a static busybox and a
// symlink /etc/evil -> /host/etc. The agent's functions run under each shell
// (the script without its last line, `main "$@"`). Needs root.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, SHELLS } from './helpers.js';

const AGENT = join(import.meta.dirname, '../../src/agent/nsdebug-agent.sh');
let dir: string;
let root: string;
let child: ChildProcess | undefined;
let pid = 0;
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));

function agent(shell: readonly string[], args: string[], input?: Buffer): { status: number | null; stdout: Buffer; stderr: string } {
  const script = join(dir, 'agent-fns.sh');
  try {
    const stdout = execFileSync(shell[0]!, [...shell.slice(1), script, String(pid), ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number | null; stdout: Buffer; stderr: Buffer };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr.toString() };
  }
}

describe.skipIf(!IS_ROOT || !BUSYBOX)('cp_enter in a real container', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nsdebug-agent-cp-'));
    root = join(dir, 'root');
    for (const d of ['proc', 'etc', 'tmp', 'old', 'sbin']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync(BUSYBOX!, join(root, 'sbin', 'busybox'));
    execFileSync('chmod', ['755', join(root, 'sbin', 'busybox')]);
    symlinkSync('/host/etc', join(root, 'etc', 'evil'));
    mkdirSync(join(root, 'host', 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'hello'), 'inside\n');
    const fns = readFileSync(AGENT, 'utf8').replace(/main "\$@"\n?$/, '');
    writeFileSync(join(dir, 'agent-fns.sh'), `${fns}target_pid=$1; which=$2; shift 2\ncase $which in out) cp_enter sh -c "$CP_OUT_SCRIPT" /proc/self/fd/3/busybox "$@" ;; in) cp_enter sh -c "$CP_IN_SCRIPT" /proc/self/fd/3/busybox "$@" ;; esac\n`);
    child = spawn('unshare', ['-m', '-p', '-f', '--propagation', 'private', 'sh', '-c',
      'mount --bind "$1" "$1" && cd "$1" && mount -t proc proc proc && pivot_root . old && exec /sbin/busybox sh -c "/sbin/busybox umount -l /old; exec /sbin/busybox sleep 300"', 'sh', root], { stdio: 'ignore' });
    for (let i = 0; i < 100 && pid === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const found = execFileSync('sh', ['-c', 'pgrep -f "^/sbin/busybox sleep 300$" || true']).toString().trim().split('\n').filter(Boolean);
      for (const p of found) if (readFileSync(`/proc/${p}/mountinfo`, 'utf8').includes(' /proc ')) pid = Number(p);
    }
    expect(pid).toBeGreaterThan(0);
  }, 30_000);

  afterAll(() => {
    if (pid > 0) process.kill(pid, 'SIGKILL');
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const { name: shellName, argv: shell } of SHELLS) {
    it(`${shellName}: reads a file from the container's root and writes through /etc/evil inside it`, () => {
      const out = agent(shell, ['out', '/etc', 'hello']);
      expect(out.stderr).toBe('');
      expect(execFileSync('tar', ['-xOf', '-'], { input: out.stdout }).toString()).toBe('inside\n');
      const name = `x-${shellName.replace(/\W/g, '')}`;
      const tarball = execFileSync('tar', ['-C', dir, '-cf', '-', 'agent-fns.sh']);
      const put = agent(shell, ['in', `/etc/evil/${name}`, '/etc/evil', name, 'agent-fns.sh'], tarball);
      expect(put.stderr).toBe('');
      expect(existsSync(join(root, 'host', 'etc', name))).toBe(true);
      expect(existsSync(`/host/etc/${name}`)).toBe(false);
      expect(existsSync(`/etc/${name}`)).toBe(false);
    });

    it(`${shellName}: a cp-in that fails still reads all of its stdin (else the exec's status never comes)`, () => {
      // `complete` is printed only when head wrote every byte: a reader that quit early kills it with SIGPIPE.
      const r = spawnSync('sh', ['-c', '{ head -c 4000000 /dev/zero && echo complete >&3; } 3>&2 | "$@"; echo "exit $?" >&2', 'sh',
        ...shell, join(dir, 'agent-fns.sh'), String(pid), 'in', '/nope/x', '/nope', 'x', 'x'], { encoding: 'utf8' });
      expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual(['complete', 'exit 2', 'nsdebug-agent: /nope: no such directory in the container']);
    });
  }
});
