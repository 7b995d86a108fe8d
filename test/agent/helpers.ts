import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const AGENT = resolve(here, '../../src/agent/nsdebug-agent.sh');
export const FIXTURES = join(here, 'fixtures');
export const FAKE_POD = join(here, 'fake-pod.sh');

export interface Shell {
  readonly name: string;
  readonly argv: readonly string[];
}

function has(program: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program]).status === 0;
}

/** The shells the agent must run under; each one present on this machine. */
export const SHELLS: readonly Shell[] = [
  { name: 'busybox sh', argv: ['busybox', 'sh'] },
  { name: 'dash', argv: ['dash'] },
  { name: 'bash', argv: ['bash'] },
].filter((s) => has(s.argv[0] ?? ''));

export const IS_ROOT = process.getuid?.() === 0;

/**
 * A PATH directory of busybox applets, so the agent sees the helper image's
 * programs (busybox nsenter, unshare, ps, ip...) whatever shell runs it.
 */
export function makeBusyboxBin(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const list = spawnSync('busybox', ['--list'], { encoding: 'utf8' });
  if (list.status !== 0) throw new Error('busybox --list failed: install busybox-static');
  const busybox = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).stdout.trim();
  for (const applet of list.stdout.split('\n').filter((a) => a !== '')) symlinkSync(busybox, join(bin, applet));
  return bin;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the agent to completion (asynchronously, so tests can run concurrently). */
export function runAgent(shell: Shell, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  const [program, ...rest] = shell.argv;
  return new Promise((res, rej) => {
    const child = spawn(program ?? 'sh', [...rest, AGENT, ...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', rej);
    child.on('close', (status) => {
      clearTimeout(timer);
      res({ status, stdout, stderr });
    });
  });
}

/** Starts the agent without waiting; resolves with its exit code and elapsed ms. */
export function startAgent(shell: Shell, args: readonly string[], env: NodeJS.ProcessEnv) {
  const [program, ...rest] = shell.argv;
  const started = Date.now();
  const child = spawn(program ?? 'sh', [...rest, AGENT, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; at: number }>((res) => {
    child.on('exit', (code, signal) => res({ code, signal, ms: Date.now() - started, at: Date.now() }));
  });
  return { child, done };
}

export function fixtureLayouts(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.cgroup') && !f.endsWith('.conmon.cgroup') && f !== 'node.cgroup')
    .map((f) => f.replace(/\.cgroup$/, ''))
    .sort();
}

/**
 * The cgroup root of fake pods (G in fake-pod.sh), as a kubelet's --cgroup-root: a
 * kubelet running on this machine removes unknown pods under its own /kubepods.
 */
export const CGROUP_ROOT = '/nsdebug-test';

/** A pod laid out like the kubelet's (fake-pod.sh): real namespaces and cgroups, no Kubernetes. */
export interface FakePod {
  readonly dir: string;
  readonly bin: string;
  readonly sandboxPid: number;
  readonly containerPid: number;
}

/** COMM: the container's init writes it into its own /proc/self/comm (and stays a shell). */
export function startFakePod(prefix: string, uid: string, sandboxId: string, containerId: string, comm?: string): FakePod {
  const dir = tempDir(prefix);
  const bin = makeBusyboxBin(dir);
  const env = comm === undefined ? process.env : { ...process.env, FAKE_POD_COMM: comm };
  const up = spawnSync('sh', [FAKE_POD, 'up', uid, sandboxId, containerId, dir], { encoding: 'utf8', timeout: 20_000, env });
  if (up.status !== 0) throw new Error(`fake-pod.sh up failed: ${up.stderr}`);
  return {
    dir,
    bin,
    sandboxPid: Number(readFileSync(join(dir, 'sandbox.pid'), 'utf8')),
    containerPid: Number(readFileSync(join(dir, 'container.pid'), 'utf8')),
  };
}

export function stopFakePod(pod: FakePod, uid: string): void {
  spawnSync('sh', [FAKE_POD, 'down', uid, pod.dir], { timeout: 20_000 });
  removeDir(pod.dir);
}
