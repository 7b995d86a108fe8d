import type { Readable, Writable } from 'node:stream';
import { UserError } from '../base/errors.js';
import type { Kube } from '../kube/client.js';
import { describeApiError } from '../kube/api-errors.js';
import { exitOutcomeOf, type ExecOutcome } from './exit-status.js';
import { takeTerminal } from './terminal.js';

export interface ExecRequest {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly command: readonly string[];
  /** Attach stdin (interactive, or -i). */
  readonly stdin: boolean;
  /** Allocate a TTY: stdin goes raw, the window size follows the terminal. */
  readonly tty: boolean;
  readonly streams?: { stdin: Readable; stdout: Writable; stderr: Writable };
}

/**
 * Runs a command in the helper and resolves with its exit status. Stdout and
 * stderr go straight to ours; with a TTY our terminal is raw for the duration
 * and restored on every way out.
 */
export async function runExec(kube: Kube, req: ExecRequest): Promise<number> {
  const stdin = req.streams?.stdin ?? process.stdin;
  const stdout = req.streams?.stdout ?? process.stdout;
  const stderr = req.streams?.stderr ?? process.stderr;
  const restoreTerminal = req.tty ? takeTerminal(stdin) : undefined;
  // Only a session given stdin touches its listeners: an exec without stdin may run
  // beside one with it (the picker's ns lookup), and must not strip the session's.
  const stdinListeners = req.stdin ? snapshotListeners(stdin) : undefined;
  const resizeListeners = stdout.listeners('resize');
  let outcome: ExecOutcome | undefined;
  try {
    const exec = new kube.lib.Exec(kube.config);
    const socket = await exec
      .exec(req.namespace, req.pod, req.container, [...req.command], stdout, req.tty ? null : stderr, req.stdin ? stdin : null, req.tty, (status) => {
        outcome = exitOutcomeOf(status);
      })
      .catch((error: unknown) => {
        throw describeApiError(unwrapSocketError(error), { verb: 'create', resource: 'pods/exec', namespace: req.namespace, name: req.pod }, kube.server);
      });
    if (req.stdin) stdin.resume();
    await new Promise<void>((resolve) => {
      if (socket.readyState === socket.CLOSED) resolve();
      socket.on('close', () => resolve());
    });
  } finally {
    if (stdinListeners) removeAddedListeners(stdin, stdinListeners);
    for (const listener of stdout.listeners('resize')) {
      if (!resizeListeners.includes(listener)) stdout.off('resize', listener as (...args: unknown[]) => void);
    }
    restoreTerminal?.();
    if (req.stdin) stdin.pause();
  }
  if (!outcome) {
    throw new UserError('the session ended without an exit status (the connection to the API server closed)', {
      hint: 'check the network to the cluster and retry',
    });
  }
  if (outcome.kind === 'error') throw new UserError(`the exec into the helper failed: ${outcome.message}`, { hint: 'retry; if it persists, see kubectl describe pod ' + req.pod });
  return outcome.code;
}

/** ws reports an HTTP refusal of the upgrade as "Unexpected server response: 403". */
function unwrapSocketError(error: unknown): unknown {
  const message = (error as { message?: string } | null)?.message ?? '';
  const code = /Unexpected server response: (\d+)/.exec(message)?.[1];
  return code ? { code: Number(code), body: { message } } : error;
}

type Listeners = Record<'data' | 'end', Function[]>;

function snapshotListeners(stream: Readable): Listeners {
  return { data: stream.listeners('data'), end: stream.listeners('end') };
}

/** client-node never removes the listeners it adds to stdin: remove them, or the next session would get our bytes too. */
function removeAddedListeners(stream: Readable, before: Listeners): void {
  for (const event of ['data', 'end'] as const) {
    for (const listener of stream.listeners(event)) {
      if (!before[event].includes(listener)) stream.off(event, listener as (...args: unknown[]) => void);
    }
  }
}
