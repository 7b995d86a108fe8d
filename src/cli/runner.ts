// The one command runner: every subcommand (session, picker, ns, stats, list,
// clean) runs inside it. It owns the API client, the progress display (ended with
// `fail` on every error, so a spinner never redraws over the error line), the
// exit guard (cleanup on signals), and faults of our own output pipes.
import { CancelledError, exitCodeForSignal } from '../base/errors.js';
import type { Progress } from '../base/progress.js';
import { ExitGuard } from '../helper/exit-guard.js';
import type { HelperContext } from '../helper/handle.js';
import type { Kube, KubeFlags } from '../kube/client.js';

export type CommandContext = HelperContext;

export interface RunnerSettings {
  readonly kube: KubeFlags;
  readonly quiet: boolean;
}

/** Seams for tests; the real client, progress, guard and stdio otherwise. */
export interface RunnerDeps {
  readonly createKube: (flags: KubeFlags) => Promise<Kube>;
  readonly createProgress: (quiet: boolean) => Progress;
  readonly guard: ExitGuard;
  readonly outputs: readonly NodeJS.EventEmitter[];
}

/**
 * A closed stdout or stderr (`| head -1`) ends the command as SIGPIPE ends a
 * shell pipeline's writer: the helper is deleted at once, no stack trace, exit
 * 141 (128 + SIGPIPE). Node ignores SIGPIPE, so the fault arrives as EPIPE.
 */
export const PIPE_EXIT = exitCodeForSignal('SIGPIPE');

let running = 0;

/**
 * For output outside any command (help, usage errors): a closed pipe exits 141
 * quietly. Inside a command the runner's own handler does the cleanup first.
 */
export function installPipeFallback(outputs: readonly NodeJS.EventEmitter[] = [process.stdout, process.stderr]): void {
  for (const output of outputs) {
    output.on('error', (error: NodeJS.ErrnoException) => {
      if (running === 0) process.exit(error.code === 'EPIPE' ? PIPE_EXIT : 1);
    });
  }
}

export async function runCommand(settings: RunnerSettings, task: (ctx: CommandContext) => Promise<number>, deps: Partial<RunnerDeps> = {}): Promise<number> {
  const progress = (deps.createProgress ?? (await defaultProgress()))(settings.quiet);
  const guard = (deps.guard ?? new ExitGuard()).install();
  const outputs = deps.outputs ?? [process.stdout, process.stderr];
  let faulted = false;
  const onOutputError = (error: NodeJS.ErrnoException) => {
    faulted = true;
    void guard.terminate(error.code === 'EPIPE' ? PIPE_EXIT : 1);
  };
  for (const output of outputs) output.on('error', onOutputError);
  running++;
  // Once a signal or a pipe fault is being handled, the command's own result or
  // error is moot (the work was cut short on purpose): the guard cleans up and exits.
  const whenTerminating = async (): Promise<number | undefined> => {
    const ending = guard.terminating;
    if (!ending) return undefined;
    await ending.done;
    return ending.code;
  };
  try {
    const kube = await (deps.createKube ?? (await import('../kube/client.js')).createKube)(settings.kube);
    const code = await task({ kube, progress, guard });
    return (await whenTerminating()) ?? code;
  } catch (error) {
    const code = await whenTerminating();
    if (code !== undefined) return code;
    await progress.fail(error instanceof CancelledError ? 'cancelled' : 'failed');
    throw error;
  } finally {
    running--;
    guard.uninstall();
    // After a fault the stream may error again while the guard finishes: keep swallowing.
    if (!faulted) for (const output of outputs) output.off('error', onOutputError);
  }
}

async function defaultProgress(): Promise<(quiet: boolean) => Progress> {
  return (await import('./progress.js')).createCliProgress;
}
