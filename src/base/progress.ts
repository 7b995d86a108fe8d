// What the CLI reports while it brings a session up (stderr only: stdout belongs
// to the remote command). The phases and the two interfaces: the CLI's facade
// (`Progress`) and the display behind it (`ProgressReporter`, in src/ui).

/** The phases of starting a session, in order. */
export const PHASES = ['creating', 'scheduled', 'pulling', 'starting', 'waiting', 'entering'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  creating: 'creating the helper pod',
  scheduled: 'scheduled',
  pulling: 'pulling the helper image',
  starting: 'starting the helper',
  waiting: 'waiting for the container to start',
  entering: 'entering namespaces',
};

/** The CLI's progress facade: phases and events go to the reporter; notes and warnings are the CLI's own lines. */
export interface Progress {
  phase(phase: Phase, detail?: string): void;
  /** A kubelet event about the helper, as it arrives. */
  event(message: string): void;
  /** Which pod or container was chosen, and why. Silenced by -q. */
  note(message: string): void;
  /** A fallback that changes what the session sees: printed even with -q. */
  warn(message: string): void;
  /** While the picker owns the terminal, hold everything back; `release` shows it. */
  hold(): void;
  release(): void;
  /** The session is about to take the terminal: the live display must be gone. */
  done(): Promise<void>;
  fail(message: string): Promise<void>;
}

/**
 * The display: `done` and `fail` end it; await them before touching the terminal
 * (the Ink one unmounts there). Calls after `done`/`fail` are ignored.
 */
export interface ProgressReporter {
  /** A new phase, with an optional detail (pod name, node, image). */
  phase(name: Phase, detail?: string): void;
  /** A kubelet/scheduler event, as it arrives: shown among the recent lines, gone after `done`. */
  event(message: string): void;
  /**
   * A line that must stay (which container was taken, a sandbox fallback, a warning).
   * While the live display runs, write to stderr only through here: a direct write
   * would be erased by the next frame. (Optional so test doubles can leave it out.)
   */
  note?(message: string): void;
  /** The helper is ready: clears the live display, leaving one summary line. */
  done(): Promise<void>;
  /** Stops the display with a short failure phrase; the CLI still prints its own `error:` line. */
  fail(message: string): Promise<void>;
}
