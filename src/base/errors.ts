import { visible } from './visible.js';
/**
 * A failure the user can act on: printed as one line, `error: <message>`,
 * followed by what to do next. Anything else that escapes is a bug.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  /** A short phrase for the progress display's last line ("refused by ResourceQuota \"q\""). */
  readonly summary: string | undefined;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown; summary?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.summary = options.summary;
  }
}

/**
 * What the progress display's last line says went wrong: the error's summary, else
 * the head of its message (the `error:` line below has the rest), never just "failed".
 */
export function failureSummary(error: unknown): string {
  if (error instanceof CancelledError) return 'cancelled';
  if (error instanceof UserError && error.summary) return error.summary;
  const head = oneLine(error instanceof Error ? error.message : String(error)).split(/: |; /)[0] ?? '';
  if (!head) return 'stopped (see the error below)';
  return head.length > 72 ? `${head.slice(0, 71)}…` : head;
}

/** The user cancelled (Ctrl-C while waiting, Esc in the picker). */
export class CancelledError extends Error {
  readonly exitCode: number;
  constructor(signalOrReason: NodeJS.Signals | 'cancelled' = 'cancelled') {
    super(signalOrReason === 'cancelled' ? 'cancelled' : `interrupted by ${signalOrReason}`);
    this.name = 'CancelledError';
    this.exitCode = exitCodeForSignal(signalOrReason);
  }
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGPIPE: 13, SIGTERM: 15 };

/** 128 + the signal number, as shells report it; a plain cancel counts as SIGINT. */
export function exitCodeForSignal(signal: NodeJS.Signals | 'cancelled'): number {
  if (signal === 'cancelled') return 130;
  return 128 + (SIGNAL_NUMBERS[signal] ?? 2);
}

/** The single line printed for a failure, hint included. */
export function formatError(error: unknown): string {
  // Messages often quote the API server or the node: their control characters print as text.
  if (error instanceof UserError) {
    return `error: ${visible(error.message)}${error.hint ? `; ${visible(error.hint)}` : ''}`;
  }
  if (error instanceof CancelledError) return `error: ${visible(error.message)}`;
  const message = error instanceof Error ? error.message : String(error);
  return `error: internal error: ${visible(oneLine(message))} (please report this at https://github.com/kubectl-nsdebug/kubectl-nsdebug/issues)`;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
