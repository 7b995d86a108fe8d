/** The phases a session goes through before the user's command runs. */
export type Phase = 'resolving' | 'creating' | 'scheduled' | 'pulling image' | 'starting' | 'finding the PID' | 'entering namespaces';

/**
 * Where progress goes: stderr only (stdout belongs to the remote command).
 * The plain implementation is here; the Ink one lives in src/ui.
 */
export interface Progress {
  phase(phase: Phase, detail?: string): void;
  /** A kubelet event about the helper, as it arrives. */
  event(message: string): void;
  /** Informational: which pod or container was chosen, and why. Silenced by -q. */
  note(message: string): void;
  /** Something the user must know even with -q: a fallback that changes what the session sees. */
  warn(message: string): void;
  /** The session is about to take the terminal: stop drawing. */
  done(): void;
}

export interface PlainProgressOptions {
  readonly write: (line: string) => void;
  readonly quiet: boolean;
  readonly now?: () => number;
}

/** Plain lines, no escape codes: for a stderr that is not a terminal, and for logs. */
export function createPlainProgress({ write, quiet, now = Date.now }: PlainProgressOptions): Progress {
  const started = now();
  const elapsed = () => `${((now() - started) / 1000).toFixed(1)}s`;
  const say = (text: string) => {
    if (!quiet) write(`nsdebug: ${text}\n`);
  };
  return {
    phase: (phase, detail) => say(`[${elapsed()}] ${phase}${detail ? `: ${detail}` : ''}`),
    event: (message) => say(`[${elapsed()}] event: ${message}`),
    note: (message) => say(message),
    warn: (message) => write(`nsdebug: warning: ${message}\n`),
    done: () => {},
  };
}
