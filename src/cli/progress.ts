// The CLI's progress facade over the UI's reporter: phases and kubelet events go to
// the reporter (live Ink on a terminal, plain lines otherwise, nothing with -q);
// notes and warnings are the CLI's own lines, on stderr.
import type { Progress, ProgressReporter } from '../base/progress.js';
import { createProgressReporter } from '../ui/progress-reporter.js';
import { sanitizeLine } from '../ui/text.js';

export interface ProgressOptions {
  readonly stream: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly quiet: boolean;
  /** Loads the reporter on first use, so -q and plain runs never load Ink. */
  readonly createReporter: () => Promise<ProgressReporter>;
}

type Call = (reporter: ProgressReporter | undefined) => void | Promise<void>;

export function createProgress({ stream, quiet, createReporter }: ProgressOptions): Progress {
  let reporter: Promise<ProgressReporter> | undefined;
  let held: Call[] | undefined;
  let chain: Promise<void> = Promise.resolve();
  // After done/fail the display is gone: notes and warnings (the --keep note) become plain lines.
  let ended = false;
  const line = (text: string) => stream.write(`nsdebug: ${sanitizeLine(text)}\n`);
  // Calls run in order; the reporter starts with the first phase.
  const run = (call: Call, needsReporter: boolean) => {
    if (ended) {
      void call(undefined);
      return;
    }
    if (held) {
      held.push(call);
      return;
    }
    if (needsReporter && !reporter) reporter = createReporter();
    const current = reporter;
    chain = chain.then(async () => call(current ? await current : undefined)).catch(() => {});
  };
  return {
    phase: (phase, detail) => {
      if (!ended) run((r) => r?.phase(phase, detail), true);
    },
    event: (message) => {
      if (!ended) run((r) => r?.event(message), true);
    },
    // Notes and warnings must stay on screen: the reporter's note() keeps them above its live lines.
    note: (message) => {
      if (!quiet) run((r) => (r?.note ? r.note(message) : void line(message)), false);
    },
    warn: (message) => run((r) => (r?.note && !quiet ? r.note(`warning: ${message}`) : void line(`warning: ${message}`)), false),
    hold: () => {
      held ??= [];
    },
    release: () => {
      const calls = held ?? [];
      held = undefined;
      for (const call of calls) run(call, false);
    },
    done: async () => {
      held = undefined;
      await chain;
      if (reporter) await (await reporter).done();
      ended = true;
    },
    fail: async (message) => {
      held = undefined;
      await chain;
      if (reporter) await (await reporter).fail(message);
      ended = true;
    },
  };
}

/** Progress on stderr: live when stderr is a terminal, plain lines otherwise, silent phases with -q. */
export function createCliProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  return createProgress({ stream, quiet, createReporter: () => createProgressReporter({ stream, quiet }) });
}
