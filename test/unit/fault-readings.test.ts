// The fault suite's reading of stderr decides whether a case passes: it must
// tell progress and notes from errors, warnings, raw output and stack traces.
import { describe, expect, it } from 'vitest';
import { readStderr, visibleLines } from '../e2e/helpers/faults.js';

describe('readStderr', () => {
  it('progress lines and notes are neither errors nor stray output', () => {
    const seen = readStderr([
      'nsdebug: creating the helper pod: helper nsdebug-web-abcde in namespace default on node n1 (0.0s)',
      'nsdebug:   event: Started: Started container nsdebug (0.4s)',
      'nsdebug: ready (1m05s)',
      'nsdebug: container app chosen (of app, sidecar); choose another with -c',
      '',
    ].join('\n'));
    expect(seen).toEqual({ errors: [], warnings: [], stray: [], stackTrace: false, internalError: false });
  });

  it('finds the error line, the warning line and raw lines', () => {
    const seen = readStderr('nsdebug: warning: heartbeats fail: the API server does not answer\nerror: lost the session; retry\nsomething raw\n');
    expect(seen.errors).toEqual(['error: lost the session; retry']);
    expect(seen.warnings).toEqual(['nsdebug: warning: heartbeats fail: the API server does not answer']);
    expect(seen.stray).toEqual(['something raw']);
  });

  it('sees the EPIPE crash of a closed pipe as a stack trace', () => {
    const crash = "node:events:502\n      throw er; // Unhandled 'error' event\n      ^\n\nError: write EPIPE\n    at afterWriteDispatched (node:internal/stream_base_commons:161:15)\n";
    expect(readStderr(crash).stackTrace).toBe(true);
    expect(readStderr('error: internal error: l.trim is not a function (please report this)').internalError).toBe(true);
  });

  it('visibleLines drops progress, keeps what the user reads', () => {
    expect(visibleLines('nsdebug: ready (1.4s)\nerror: x; y\n')).toBe('error: x; y');
  });
});
