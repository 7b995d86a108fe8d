// Helpers for driving the plugin itself in e2e tests: through `kubectl nsdebug`
// (the plugin is on PATH via global-setup), and in a real terminal via tmux.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { kubectl, kubectlResult, type RunOptions, type RunResult } from './cluster.js';

export const HELPER_SELECTOR = 'app.kubernetes.io/managed-by=kubectl-nsdebug';
/** The session shell's prompt, `[pod/NAME:CONTAINER] # ` (tmux drops the trailing space). */
export const PROMPT = /\] #\s*$/m;

/** `kubectl nsdebug ARGS`, as a user types it. */
export function nsdebug(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return kubectlResult(['nsdebug', ...args], { timeoutMs: 90_000, ...options });
}

/**
 * Helper pods that exist in any namespace (any phase), as NAMESPACE/NAME; with
 * `targets`, only those whose target pod is one of these names (so test files
 * run side by side on one cluster don't see each other's helpers).
 */
export async function helperPods(targets?: readonly string[]): Promise<string[]> {
  const out = await kubectl(['get', 'pods', '-A', '-l', HELPER_SELECTOR, '-o',
    'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.annotations.nsdebug\\.dev/target}{"\\n"}{end}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string | undefined])
    .filter(([, target]) => !targets || targets.includes((target ?? '').split('/').pop() ?? ''))
    .map(([name]) => name);
}

/** Helper pods whose container still runs. */
export async function runningHelperPods(): Promise<string[]> {
  const out = await kubectl(['get', 'pods', '-A', '-l', HELPER_SELECTOR, '--field-selector=status.phase=Running', '-o', 'name']);
  return out.split('\n').filter(Boolean);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const TMUX_SOCKET = `nsdebug-e2e-${process.pid}`;

function tmux(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // A tmux server of our own: it starts with this test's environment (KUBECONFIG,
    // PATH, NSDEBUG_IMAGE) and never meets a user's or an earlier run's server.
    execFile('tmux', ['-L', TMUX_SOCKET, ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tmux ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * A program running in a real pseudo-terminal (a detached tmux session), with
 * keystrokes in and the screen out. The pane stays after the program exits so
 * its exit status can be read.
 */
export class TerminalSession {
  private constructor(readonly name: string) {}

  static async start(argv: readonly string[], options: { width?: number; height?: number; env?: Record<string, string> } = {}): Promise<TerminalSession> {
    const name = `nsdebug-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // A small constant shell runs the program and prints its exit status, then
    // keeps the pane (tmux's own pane_dead_status is sometimes never filled in).
    // `trap :` keeps the wrapper alive through a Ctrl-C meant for the program (which gets the default disposition back).
    const wrapper = ['sh', '-c', 'trap : INT; "$@"; printf \'\\n[exited %s]\\n\' "$?"; exec sleep 3600', 'sh'];
    await tmux(['new-session', '-d', '-s', name, '-x', String(options.width ?? 100), '-y', String(options.height ?? 30), ...envArgs, '--', ...wrapper, ...argv]);
    return new TerminalSession(name);
  }

  /** Types text literally (no key-name lookup). */
  async type(text: string): Promise<void> {
    await tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /** Sends named keys: Enter, Escape, Up, Down, Space, C-c ... */
  async keys(...keys: string[]): Promise<void> {
    await tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Sends raw bytes given in hex (e.g. 'ff'), bypassing any encoding. */
  async hex(...bytes: string[]): Promise<void> {
    await tmux(['send-keys', '-t', this.name, '-H', ...bytes]);
  }

  async screen(): Promise<string> {
    return tmux(['capture-pane', '-p', '-t', this.name, '-S', '-200']);
  }

  async waitForScreen(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(`${pattern} on screen`, async () => {
        last = await this.screen();
        return pattern.test(last) ? last : undefined;
      }, timeoutMs, 100);
    } catch {
      throw new Error(`timed out waiting for ${pattern} on the terminal; screen was:\n${last}`);
    }
  }

  async resize(width: number, height: number): Promise<void> {
    await tmux(['resize-window', '-t', this.name, '-x', String(width), '-y', String(height)]);
  }

  /** The PID of the program (the wrapper shell's child), for sending it signals. */
  async pid(): Promise<number> {
    const shell = (await tmux(['display-message', '-p', '-t', this.name, '#{pane_pid}'])).trim();
    return waitFor('the program to start', async () => {
      const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return children[0] ? Number(children[0]) : undefined;
    }, 10_000, 50);
  }

  /** Resolves with the program's exit status once it has exited. */
  async waitForExit(timeoutMs = 30_000): Promise<number> {
    const screen = await this.waitForScreen(/^\[exited (\d+)\]\s*$/m, timeoutMs);
    return Number(/^\[exited (\d+)\]\s*$/m.exec(screen)![1]);
  }

  async kill(): Promise<void> {
    await tmux(['kill-session', '-t', this.name]).catch(() => {});
  }
}
