// The live progress display (stderr is a terminal): a spinner naming the phase,
// the elapsed time and the most recent events, redrawn in place; notes stay above
// it. Plain ANSI, no Ink: loading Ink (React, and yoga's WebAssembly layout engine)
// for these few lines cost an interactive session ~20 MB of its peak memory
// (issue 12's goal is < 80 MB for all of it). The picker and stats --watch still use Ink.
import stringWidth from 'string-width';
import { formatElapsed } from '../base/duration.js';
import { PHASE_LABELS, type Phase, type ProgressReporter } from '../base/progress.js';
import { sanitizeLine } from './text.js';

export interface ProgressSnapshot {
  readonly phase: Phase | undefined;
  readonly detail?: string | undefined;
  /** Most recent last; the display shows the last `maxEvents`. */
  readonly events: readonly string[];
  /** Clock reading when progress started. */
  readonly startedAt: number;
  readonly outcome?: { readonly kind: 'done'; readonly at: number } | { readonly kind: 'failed'; readonly at: number; readonly message: string };
}

export interface FrameStyle {
  /** Columns: longer lines end in `…`, as Ink's truncate-end does. */
  readonly width: number;
  readonly color: boolean;
  /** Spinner frame number. */
  readonly tick: number;
  readonly maxEvents?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SGR = { green: [32, 39], red: [31, 39], cyan: [36, 39], dim: [2, 22] } as const;

/** Pure: the live area's lines for a snapshot at clock reading `now`. */
export function buildProgressFrame(snapshot: ProgressSnapshot, now: number, style: FrameStyle): string[] {
  // Each piece is [text, style?]: widths are measured on the text, styles added after truncation.
  type Piece = readonly [string, keyof typeof SGR | undefined];
  const line = (pieces: readonly Piece[]): string => {
    let room = style.width;
    let out = '';
    for (const [text, sgr] of pieces) {
      if (room <= 0) break;
      const fitted = truncate(text, room);
      room -= stringWidth(fitted);
      out += sgr && style.color ? `\u001B[${SGR[sgr][0]}m${fitted}\u001B[${SGR[sgr][1]}m` : fitted;
      if (fitted !== text) break;
    }
    return out;
  };
  const { outcome } = snapshot;
  const elapsed = formatElapsed((outcome?.at ?? now) - snapshot.startedAt);
  if (outcome?.kind === 'done') return [line([['✓', 'green'], [' ready ', undefined], [`(${elapsed})`, 'dim']])];
  const head: Piece[] =
    outcome?.kind === 'failed'
      ? [['✗', 'red'], [` ${sanitizeLine(outcome.message)}`, undefined]]
      : [[SPINNER[style.tick % SPINNER.length]!, 'cyan'], [` ${snapshot.phase === undefined ? 'starting' : PHASE_LABELS[snapshot.phase]}`, undefined]];
  if (outcome === undefined && snapshot.detail !== undefined) head.push([` ${sanitizeLine(snapshot.detail)}`, 'dim']);
  head.push([` ${elapsed}`, 'dim']);
  return [line(head), ...snapshot.events.slice(-(style.maxEvents ?? 5)).map((e) => line([[`  ${sanitizeLine(e)}`, 'dim']]))];
}

/** `text` cut to `width` columns, its last one an ellipsis when it had to be cut. */
function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const char of text) {
    if (stringWidth(`${out}${char}…`) > width) break;
    out += char;
  }
  return `${out}…`;
}

export interface LiveProgressOptions {
  readonly stream: NodeJS.WritableStream & { readonly columns?: number };
  readonly noColor: boolean;
  readonly clock?: () => number;
  /** Spinner refresh; 0 stops the timer (tests). */
  readonly tickMs?: number;
}

/**
 * Draws the frame and, for each redraw, erases the previous one line by line
 * (erase line, cursor up, as Ink's log-update does). Use createProgressReporter
 * rather than this.
 */
export class LiveProgressReporter implements ProgressReporter {
  readonly #stream: LiveProgressOptions['stream'];
  readonly #clock: () => number;
  readonly #color: boolean;
  readonly #timer: NodeJS.Timeout | undefined;
  #snapshot: ProgressSnapshot;
  #tick = 0;
  /** Lines on screen below the notes, plus the one the cursor is on. */
  #drawn = 0;

  constructor(options: LiveProgressOptions) {
    this.#stream = options.stream;
    this.#clock = options.clock ?? (() => performance.now());
    this.#color = !options.noColor;
    this.#snapshot = { phase: undefined, events: [], startedAt: this.#clock() };
    const tickMs = options.tickMs ?? 80;
    if (tickMs > 0) {
      this.#timer = setInterval(() => {
        this.#tick++;
        this.#draw();
      }, tickMs);
      this.#timer.unref();
    }
    this.#draw();
  }

  phase(name: Phase, detail?: string): void {
    this.#update({ ...this.#snapshot, phase: name, detail });
  }

  event(message: string): void {
    this.#update({ ...this.#snapshot, events: [...this.#snapshot.events.slice(-19), message] });
  }

  /** Printed once, permanently, above the live lines. */
  note(message: string): void {
    if (this.#snapshot.outcome !== undefined) return;
    this.#draw(`${sanitizeLine(message)}\n`);
  }

  async done(): Promise<void> {
    this.#end({ kind: 'done', at: this.#clock() });
  }

  async fail(message: string): Promise<void> {
    this.#end({ kind: 'failed', at: this.#clock(), message });
  }

  #update(next: ProgressSnapshot): void {
    if (this.#snapshot.outcome !== undefined) return;
    this.#snapshot = next;
    this.#draw();
  }

  #end(outcome: NonNullable<ProgressSnapshot['outcome']>): void {
    if (this.#snapshot.outcome !== undefined) return;
    this.#snapshot = { ...this.#snapshot, outcome };
    if (this.#timer) clearInterval(this.#timer);
    this.#draw();
  }

  /** Erases the live lines, writes `above` (notes) if any, then the current frame: one write. */
  #draw(above = ''): void {
    const lines = buildProgressFrame(this.#snapshot, this.#clock(), { width: this.#stream.columns || 80, color: this.#color, tick: this.#tick });
    let erase = '';
    for (let i = 0; i < this.#drawn; i++) erase += `\u001B[2K${i < this.#drawn - 1 ? '\u001B[1A' : ''}`;
    if (this.#drawn > 0) erase += '\u001B[G';
    this.#stream.write(`${erase}${above}${lines.join('\n')}\n`);
    this.#drawn = lines.length + 1;
  }
}
