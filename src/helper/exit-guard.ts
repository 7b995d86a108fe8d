import { exitCodeForSignal } from '../base/errors.js';

type Task = () => Promise<void> | void;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

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
  private readonly tasks = new Set<Task>();
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

  /** Registers a cleanup task; the returned function unregisters it. */
  add(task: Task): () => void {
    this.tasks.add(task);
    return () => void this.tasks.delete(task);
  }

  async runAll(): Promise<void> {
    const tasks = [...this.tasks].reverse();
    this.tasks.clear();
    for (const task of tasks) {
      try {
        await task();
      } catch (error) {
        this.log(`nsdebug: cleanup failed: ${(error as Error).message}\n`);
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
        const deadline = setTimeout(() => this.exit(code), 10_000);
        await this.runAll();
        clearTimeout(deadline);
        this.exit(code);
      })(),
    };
    return this.ending.done;
  }
}
