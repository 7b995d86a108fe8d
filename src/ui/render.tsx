// The one module that calls Ink's render(). Everything else in src/ui is a display
// component testable with ink-testing-library. The CLI imports this module
// dynamically, only when it is about to show something, so start-up stays lean.
//
// Ink draws on stderr: stdout belongs to the remote command.
import { Text, render } from 'ink';
import type { Instance } from 'ink';
import { PickerApp } from './picker-app.js';
import type { PickerOutcome } from './picker-app.js';
import { ProgressView } from './progress-view.js';
import type { ProgressSnapshot } from './progress-view.js';
import type { Phase, ProgressReporter } from '../base/progress.js';
import { ColorProvider, isNoColor } from './theme.js';
import type { PickedAllPods, PickerPlan, PickerResult } from './types.js';

export type { PickedAllPods, PickerPlan, PickerResult } from './types.js';

export interface RunPickerOptions {
  /** Keys come from here; must be a TTY (raw mode). Default: process.stdin. */
  readonly stdin?: NodeJS.ReadStream;
  /** Where the screens are drawn. Default: process.stderr. */
  readonly stdout?: NodeJS.WriteStream;
  /** Default: NO_COLOR from the environment. */
  readonly noColor?: boolean;
  /** Aborting ends the picker as 'cancelled' (e.g. on SIGTERM or when the helper failed). */
  readonly signal?: AbortSignal;
}

/**
 * Shows the screens whose choice is still open and resolves with the choices
 * (one pod's, or the "all pods" row's: `'allPods' in result`), or
 * 'cancelled' (Esc, q or Ctrl-C on any screen; the CLI exits 130). Rejects with the
 * error of a failed data promise (pod list, containers).
 *
 * When it settles Ink is fully unmounted: raw mode is off and stdin is paused and
 * unref'd, but its encoding is left at utf8 (Ink's doing): set latin1 before a
 * binary-clean session.
 */
export async function runPicker(plan: PickerPlan, options: RunPickerOptions = {}): Promise<PickerResult | PickedAllPods | 'cancelled'> {
  const stdout = options.stdout ?? process.stderr;
  const stdin = options.stdin ?? process.stdin;
  if (options.signal?.aborted === true) return 'cancelled';

  let outcome: PickerOutcome | undefined;
  let instance: Instance | undefined;
  const onAbort = () => {
    outcome ??= { kind: 'cancelled' };
    // Erase the screens: the CLI prints why it stopped (e.g. the helper failed).
    instance?.rerender(<></>);
    instance?.unmount();
  };
  instance = render(
    <ColorProvider enabled={!(options.noColor ?? isNoColor())}>
      <PickerApp
        plan={plan}
        onDone={(o) => {
          outcome ??= o;
          instance?.unmount();
        }}
      />
    </ColorProvider>,
    // Ctrl-C is a key like Esc here (raw mode swallows SIGINT): the screens cancel on it,
    // so waitUntilExit never resolves without an outcome from us.
    { stdout, stderr: stdout, stdin, exitOnCtrlC: false, patchConsole: false },
  );
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const ended = outcome ?? { kind: 'cancelled' };
  if (ended.kind === 'error') throw ended.error;
  return ended.kind === 'chose' ? ended.result : 'cancelled';
}

export interface InkProgressOptions {
  readonly stream: NodeJS.WriteStream;
  readonly noColor: boolean;
  readonly clock?: () => number;
  /** Spinner refresh; 0 stops the timer (tests). */
  readonly tickMs?: number;
}

/** The live progress display (stderr is a terminal). Use createProgressReporter rather than this. */
export function startInkProgress(options: InkProgressOptions): ProgressReporter {
  const clock = options.clock ?? (() => performance.now());
  let snapshot: ProgressSnapshot = { phase: undefined, events: [], notes: [], startedAt: clock() };
  const view = () => (
    <ColorProvider enabled={!options.noColor}>
      <ProgressView snapshot={snapshot} clock={clock} {...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {})} />
    </ColorProvider>
  );
  // No useInput anywhere in this tree: stdin is never put in raw mode, so Ctrl-C
  // stays a SIGINT for the CLI's cleanup handler.
  const instance = render(view(), { stdout: options.stream, stderr: options.stream, exitOnCtrlC: false, patchConsole: false });
  const update = (next: ProgressSnapshot) => {
    if (snapshot.outcome !== undefined) return;
    snapshot = next;
    instance.rerender(view());
  };
  const end = async (outcome: NonNullable<ProgressSnapshot['outcome']>) => {
    if (snapshot.outcome !== undefined) return;
    snapshot = { ...snapshot, outcome };
    instance.rerender(view());
    instance.unmount();
    await instance.waitUntilExit();
  };
  return {
    phase: (name: Phase, detail?: string) => update({ ...snapshot, phase: name, detail }),
    event: (message: string) => update({ ...snapshot, events: [...snapshot.events.slice(-19), message] }),
    note: (message: string) => update({ ...snapshot, notes: [...(snapshot.notes ?? []), message] }),
    done: () => end({ kind: 'done', at: clock() }),
    fail: (message: string) => end({ kind: 'failed', at: clock(), message }),
  };
}

/** A block of text redrawn in place (stats --watch in a terminal): Ink erases the previous frame, no screen clear. */
export interface LiveText {
  update(text: string): void;
  stop(): Promise<void>;
}

export function startLiveText(stream: NodeJS.WriteStream): LiveText {
  // No useInput in this tree: stdin stays cooked, so Ctrl-C remains a SIGINT for the CLI's cleanup.
  const instance = render(<Text>{''}</Text>, { stdout: stream, exitOnCtrlC: false, patchConsole: false });
  return {
    update: (text) => instance.rerender(<Text>{text}</Text>),
    stop: async () => {
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
