// Progress while the helper starts: phases, kubelet events, elapsed time, on stderr.
// No Ink here or in progress-live.ts: a session never loads React for its progress.
import { formatElapsed } from '../base/duration.js';
import type { Phase, ProgressReporter } from '../base/progress.js';
import { PHASE_LABELS } from '../base/progress.js';
import { LiveProgressReporter } from './progress-live.js';
import { isNoColor, sanitizeLine } from './text.js';

export type { Phase, ProgressReporter };

export interface ProgressReporterOptions {
  /** Where progress goes: stderr (stdout carries the remote command's output). */
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** `-q`: report nothing. */
  readonly quiet?: boolean;
  /** Live display when true; plain lines otherwise. Defaults to `stream.isTTY`. */
  readonly isTTY?: boolean;
  /** Defaults to NO_COLOR from the environment. */
  readonly noColor?: boolean;
  /** For tests: milliseconds since some origin. */
  readonly clock?: () => number;
}

/** Picks the reporter: none (quiet), live (terminal), or plain lines. */
export async function createProgressReporter(options: ProgressReporterOptions): Promise<ProgressReporter> {
  if (options.quiet === true) return new QuietProgressReporter();
  const isTTY = options.isTTY ?? options.stream.isTTY === true;
  if (!isTTY) return new PlainProgressReporter(options.stream, options.clock);
  return new LiveProgressReporter({
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
