import type { Readable, Writable } from 'node:stream';
import { UserError } from '../base/errors.js';
import type { Kube } from '../kube/client.js';
import { describeApiError } from '../kube/api-errors.js';
import { withCredentialRetry } from '../kube/credentials.js';
import { openExecSocket } from './exec-socket.js';
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
  /** Ends the exec at once (closing its stream), rejecting with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** The exec's WebSocket once open: a streaming mode (cp) paces its data by it. */
  readonly onSocket?: (socket: ExecSocket) => void;
}

/** What a streaming mode may look at on the exec's WebSocket (the ws library's). */
export interface ExecSocket {
  readonly bufferedAmount: number;
  /** The TCP socket underneath: paused while a local writer catches up. */
  readonly _socket?: { pause(): void; resume(): void };
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
    const exec = new kube.lib.Exec(kube.config, new kube.lib.WebSocketHandler(kube.config, openExecSocket));
    // A 401 refuses the upgrade before anything runs: refresh once and retry once.
    const connecting = withCredentialRetry(kube.config, () =>
      exec.exec(req.namespace, req.pod, req.container, [...req.command], stdout, req.tty ? null : stderr, req.stdin ? stdin : null, req.tty, (status) => {
        outcome = exitOutcomeOf(status);
      }),
    )
      .catch((error: unknown) => {
        throw describeApiError(unwrapSocketError(error), { verb: 'create', resource: 'pods/exec', namespace: req.namespace, name: req.pod }, kube.server);
      });
    // A hung API server never answers the upgrade: bound it like any request,
    // and close a socket that opens after we stopped waiting.
    const socket = await bounded(connecting, kube, req.signal).catch((error: unknown) => {
      connecting.then((late) => late.close(), () => {});
      throw error;
    });
    req.onSocket?.(socket as unknown as ExecSocket);
    if (req.stdin) stdin.resume();
    await new Promise<void>((resolve, reject) => {
      const abort = () => {
        reject(req.signal?.reason instanceof Error ? req.signal.reason : new UserError('the exec was ended', { hint: 'retry' }));
        socket.terminate?.();
        socket.close();
      };
      const closed = () => {
        req.signal?.removeEventListener('abort', abort);
        resolve();
      };
      if (socket.readyState === socket.CLOSED) closed();
      socket.on('close', closed);
      if (req.signal?.aborted) abort();
      else req.signal?.addEventListener('abort', abort, { once: true });
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
  // "Internal error occurred: " is the API server's wrapper around the kubelet's words: drop it.
  if (outcome.kind === 'error') throw new UserError(`the exec into the helper failed: ${outcome.message.replace(/^Internal error occurred:\s*/i, '')}`, { hint: 'retry; if it persists, see kubectl describe pod ' + req.pod });
  return outcome.code;
}

/** The exec's upgrade under --request-timeout (or its default), and the caller's signal. */
function bounded<T>(connecting: Promise<T>, kube: Kube, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer =
      kube.requestTimeoutMs > 0
        ? setTimeout(
            () =>
              reject(
                new UserError(`the API server at ${kube.server} did not open the exec into the helper within ${kube.requestTimeoutMs / 1000}s (--request-timeout)`, {
                  hint: 'check that the cluster is reachable, or raise --request-timeout',
                }),
              ),
            kube.requestTimeoutMs,
          )
        : undefined;
    const onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new UserError('the exec was ended', { hint: 'retry' }));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    connecting.then(resolve, reject).finally(() => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/** ws reports an HTTP refusal of the upgrade as "Unexpected server response: 403"; exec-socket.ts adds the server's body. */
function unwrapSocketError(error: unknown): unknown {
  const message = (error as { message?: string } | null)?.message ?? '';
  const code = /Unexpected server response: (\d+)/.exec(message)?.[1];
  const body = (error as { error?: { body?: unknown } } | null)?.error?.body;
  return code ? { code: Number(code), body: typeof body === 'string' && body ? body : { message } } : error;
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
