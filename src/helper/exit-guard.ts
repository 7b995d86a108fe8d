import { exitCodeForSignal, formatError } from '../base/errors.js';

type Task = () => Promise<void> | void;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * The hard stop of a cleanup: longer than a helper's release can take (the create
 * in flight under the default --request-timeout, then the delete's retries across
 * an API server restart), so it never cuts a delete short that could still succeed.
 */
export const CLEANUP_DEADLINE_MS = 120_000;

export interface ExitGuardOptions {
  readonly log?: (line: string) => void;
  /** Seam for tests; process.exit otherwise. */
  readonly exit?: (code: number) => void;
}

/**
 * Runs cleanup tasks (delete the helper, restore the terminal) when the process
 * must stop early: on a signal (then exits with 128 + the signal number), or when
 * the command runner asks (a closed output pipe). The normal path runs the same
 * tasks in its own finally blocks; tasks must be idempotent.
 */
export class ExitGuard {
  private readonly tasks = new Map<Task, string | undefined>();
  private readonly pending = new Set<string>();
  private ending: { readonly code: number; readonly done: Promise<void> } | undefined;
  private readonly handler = (signal: NodeJS.Signals) => void this.terminate(exitCodeForSignal(signal));
  private readonly log: (line: string) => void;
  private readonly exit: (code: number) => void;

  constructor(options: ExitGuardOptions = {}) {
    this.log = options.log ?? ((line) => void process.stderr.write(line));
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  install(): this {
    for (const signal of SIGNALS) process.on(signal, this.handler);
    return this;
  }

  uninstall(): void {
    for (const signal of SIGNALS) process.off(signal, this.handler);
  }

  /**
   * Registers a cleanup task; the returned function unregisters it. `manual` is the
   * command that does the task by hand (named if the hard deadline cuts it short).
   */
  add(task: Task, manual?: string): () => void {
    this.tasks.set(task, manual);
    return () => void this.tasks.delete(task);
  }

  async runAll(): Promise<void> {
    const tasks = [...this.tasks].reverse();
    this.tasks.clear();
    for (const [task, manual] of tasks) {
      if (manual) this.pending.add(manual);
      try {
        await task();
      } catch (error) {
        // Its message names what failed and the command that finishes it (one line).
        this.log(`${formatError(error)}\n`);
      } finally {
        if (manual) this.pending.delete(manual);
      }
    }
  }

  /** Set once the process is on its way out: the exit status, and when cleanup is over. */
  get terminating(): { readonly code: number; readonly done: Promise<void> } | undefined {
    return this.ending;
  }

  /** Runs every task, then exits with `code` (once; later calls wait for the first). */
  terminate(code: number): Promise<void> {
    this.ending ??= {
      code,
      done: (async () => {
        // A second signal while cleaning up should not kill the cleanup: keep handlers installed.
        const deadline = setTimeout(() => {
          for (const manual of this.pending) this.log(`error: the cleanup did not finish within ${CLEANUP_DEADLINE_MS / 1000}s; if the helper remains, run ${manual}\n`);
          this.exit(code);
        }, CLEANUP_DEADLINE_MS);
        await this.runAll();
        clearTimeout(deadline);
        this.exit(code);
      })(),
    };
    return this.ending.done;
  }
}
