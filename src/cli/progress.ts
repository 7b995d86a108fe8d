import { createProgress, type Progress } from '../helper/progress.js';
import { createProgressReporter } from '../ui/progress-reporter.js';

/** Progress on stderr: live when stderr is a terminal, plain lines otherwise, silent phases with -q. */
export function createCliProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  return createProgress({ stream, quiet, createReporter: () => createProgressReporter({ stream, quiet }) });
}
