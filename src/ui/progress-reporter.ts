// Progress while the helper starts: phases, kubelet events, elapsed time, on stderr.
// This module has no Ink import: the plain reporter (stderr not a terminal) must
// not pay for loading React; the Ink one is loaded on demand from render.tsx.
import { isNoColor, sanitizeLine } from './text.js';

/** The phases of starting a session, in order. */
export const PHASES = ['creating', 'scheduled', 'pulling', 'starting', 'finding-pid', 'entering'] as const;
export type Phase = (typeof PHASES)[number];

export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  creating: 'creating the helper pod',
  scheduled: 'scheduled',
  pulling: 'pulling the helper image',
  starting: 'starting the helper',
  'finding-pid': 'finding the PID',
  entering: 'entering namespaces',
};

/**
 * What the CLI reports while it brings a session up. `done` and `fail` end the
 * display; await them before touching the terminal (the Ink one unmounts there).
 * Calls after `done`/`fail` are ignored.
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

export interface ProgressReporterOptions {
  /** Where progress goes: stderr (stdout carries the remote command's output). */
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** `-q`: report nothing. */
  readonly quiet?: boolean;
  /** Live (Ink) display when true; plain lines otherwise. Defaults to `stream.isTTY`. */
  readonly isTTY?: boolean;
  /** Defaults to NO_COLOR from the environment. */
  readonly noColor?: boolean;
  /** For tests: milliseconds since some origin. */
  readonly clock?: () => number;
}

/** Picks the reporter: none (quiet), live Ink (terminal), or plain lines. */
export async function createProgressReporter(options: ProgressReporterOptions): Promise<ProgressReporter> {
  if (options.quiet === true) return new QuietProgressReporter();
  const isTTY = options.isTTY ?? options.stream.isTTY === true;
  if (!isTTY) return new PlainProgressReporter(options.stream, options.clock);
  const { startInkProgress } = await import('./render.js');
  return startInkProgress({
    stream: options.stream as NodeJS.WriteStream,
    noColor: options.noColor ?? isNoColor(),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
}

/** `-q`: every call is a no-op. */
export class QuietProgressReporter implements ProgressReporter {
  phase(): void {}
  event(): void {}
  note(): void {}
  async done(): Promise<void> {}
  async fail(): Promise<void> {}
}

/** Seconds with one decimal: `2.3s`. */
export function formatElapsed(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

/** One line per phase and event, no escape codes: for logs and pipes. */
export class PlainProgressReporter implements ProgressReporter {
  readonly #stream: NodeJS.WritableStream;
  readonly #clock: () => number;
  readonly #start: number;
  #ended = false;

  constructor(stream: NodeJS.WritableStream, clock: () => number = () => performance.now()) {
    this.#stream = stream;
    this.#clock = clock;
    this.#start = clock();
  }

  phase(name: Phase, detail?: string): void {
    this.#line(detail === undefined ? PHASE_LABELS[name] : `${PHASE_LABELS[name]}: ${detail}`);
  }

  event(message: string): void {
    this.#line(`  event: ${message}`);
  }

  note(message: string): void {
    if (!this.#ended) this.#stream.write(`nsdebug: ${sanitizeLine(message)}\n`);
  }

  async done(): Promise<void> {
    this.#line('ready');
    this.#ended = true;
  }

  async fail(message: string): Promise<void> {
    this.#line(`failed: ${message}`);
    this.#ended = true;
  }

  #line(text: string): void {
    if (this.#ended) return;
    this.#stream.write(`nsdebug: ${sanitizeLine(text)} (${formatElapsed(this.#clock() - this.#start)})\n`);
  }
}
