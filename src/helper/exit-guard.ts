import { exitCodeForSignal } from '../base/errors.js';

type Task = () => Promise<void> | void;

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs cleanup tasks (delete the helper, restore the terminal) when the process
 * is told to stop, then exits with 128 + the signal number. The normal path
 * runs the same tasks in its own finally blocks; tasks must be idempotent.
 */
export class ExitGuard {
  private readonly tasks = new Set<Task>();
  private exiting = false;
  private readonly handler = (signal: NodeJS.Signals) => void this.onSignal(signal);

  constructor(private readonly log: (line: string) => void = (line) => process.stderr.write(line)) {}

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
    return () => this.tasks.delete(task);
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

  private async onSignal(signal: NodeJS.Signals): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    // A second signal while cleaning up should not kill the cleanup: keep handlers installed.
    const deadline = setTimeout(() => process.exit(exitCodeForSignal(signal)), 10_000);
    await this.runAll();
    clearTimeout(deadline);
    process.exit(exitCodeForSignal(signal));
  }
}
