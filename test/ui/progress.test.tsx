import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildProgressFrame, LiveProgressReporter } from '../../src/ui/progress-live.js';
import { createProgressReporter, PlainProgressReporter } from '../../src/ui/progress-reporter.js';
import { isNoColor } from '../../src/ui/theme.js';
import { FakeTtyStdout, screenAfter } from './helpers.js';

/** A clock the test moves by hand. */
function manualClock(start = 1000) {
  let now = start;
  return { clock: () => now, advance: (ms: number) => (now += ms) };
}

function collect() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return { stream, text: () => text };
}

describe('PlainProgressReporter', () => {
  it('writes one plain line per phase and event, with elapsed time, and nothing after done', async () => {
    const { clock, advance } = manualClock();
    const out = collect();
    const r = new PlainProgressReporter(out.stream, clock);
    r.phase('creating', 'nsdebug-web-a1b2c');
    advance(400);
    r.phase('scheduled', 'node-1');
    r.event('Pulling image "busybox:1.36"\u001B[31m');
    advance(1850);
    r.phase('entering');
    await r.done();
    r.event('late');
    expect(out.text()).toBe(
      [
        'nsdebug: creating the helper pod: nsdebug-web-a1b2c (0.0s)',
        'nsdebug: scheduled: node-1 (0.4s)',
        'nsdebug:   event: Pulling image "busybox:1.36"\\e[31m (0.4s)',
        'nsdebug: entering namespaces (2.3s)',
        'nsdebug: ready (2.3s)',
        '',
      ].join('\n'),
    );
    expect(out.text()).not.toContain('\u001B');
  });
});

describe('createProgressReporter', () => {
  it('quiet prints nothing', async () => {
    const out = collect();
    const r = await createProgressReporter({ stream: out.stream, quiet: true, isTTY: true });
    r.phase('creating');
    r.event('x');
    await r.fail('helper did not start');
    expect(out.text()).toBe('');
  });

  it('not a terminal: plain lines', async () => {
    const out = collect();
    const r = await createProgressReporter({ stream: out.stream });
    r.phase('pulling', 'busybox:1.36');
    await r.fail('image pull failed');
    expect(out.text()).toMatch(/^nsdebug: pulling the helper image: busybox:1\.36 \(\d+\.\ds\)\nnsdebug: failed: image pull failed \(\d+\.\ds\)\n$/);
  });

  it('a terminal: the live display, gone (one summary line left) once done resolves', async () => {
    const { clock, advance } = manualClock();
    const tty = new FakeTtyStdout();
    const r = await createProgressReporter({ stream: tty as unknown as NodeJS.WriteStream, clock, noColor: true });
    r.phase('pulling', 'busybox:1.36');
    r.event('Scheduled: assigned default/nsdebug-web-a1b2c to node-1');
    advance(1234);
    r.event('Pulling: Pulling image "busybox:1.36"');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tty.plain()).toContain('pulling the helper image busybox:1.36');
    expect(tty.plain()).toContain('Pulling: Pulling image "busybox:1.36"');
    advance(1000);
    await r.done();
    expect(screenAfter(tty.output)).toEqual(['✓ ready (2.2s)']);
    const written = tty.output.length;
    r.event('after done');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tty.output.length).toBe(written);
  });
});

describe('buildProgressFrame', () => {
  const plain = { width: 100, color: false, tick: 0 };

  it('shows the phase, its detail, the elapsed time and the last events', () => {
    const frame = buildProgressFrame({ phase: 'starting', detail: 'nsdebug-web-a1b2c', startedAt: 1000, events: ['one', 'two', 'three'] }, 3500, { ...plain, maxEvents: 2 });
    expect(frame).toEqual(['⠋ starting the helper nsdebug-web-a1b2c 2.5s', '  two', '  three']);
  });

  it('a failure keeps the events and names what failed', () => {
    const frame = buildProgressFrame({ phase: 'pulling', startedAt: 0, events: ['Failed: ErrImagePull'], outcome: { kind: 'failed', at: 4000, message: 'the helper image could not be pulled' } }, 9000, plain);
    expect(frame).toEqual(['✗ the helper image could not be pulled 4.0s', '  Failed: ErrImagePull']);
  });

  it('done is one line; colour only when asked; control characters visible', () => {
    expect(buildProgressFrame({ phase: 'entering', startedAt: 0, events: ['x'], outcome: { kind: 'done', at: 2200 } }, 9000, plain)).toEqual(['✓ ready (2.2s)']);
    expect(buildProgressFrame({ phase: 'entering', startedAt: 0, events: [], outcome: { kind: 'done', at: 2200 } }, 9000, { ...plain, color: true })).toEqual(['\u001B[32m✓\u001B[39m ready \u001B[2m(2.2s)\u001B[22m']);
    expect(buildProgressFrame({ phase: 'starting', startedAt: 0, events: ['evil\u001B[31m'] }, 0, plain)[1]).toBe('  evil\\e[31m');
  });

  it('cuts lines to the terminal width with an ellipsis, wide characters counted as two', () => {
    const frame = buildProgressFrame({ phase: 'starting', detail: 'x'.repeat(50), startedAt: 0, events: ['界'.repeat(20)] }, 0, { ...plain, width: 20 });
    expect(frame).toEqual(['⠋ starting the help…', '  界界界界界界界界…']);
  });
});

describe('LiveProgressReporter', () => {
  it('fail() leaves the failure frame', async () => {
    const tty = new FakeTtyStdout();
    const r = new LiveProgressReporter({ stream: tty as unknown as NodeJS.WriteStream, noColor: true, tickMs: 0 });
    r.phase('starting');
    await r.fail('the helper did not start within 60s');
    expect(screenAfter(tty.output)).toEqual([expect.stringMatching(/^✗ the helper did not start within 60s \d+\.\ds$/)]);
  });

  it('redraws in place: the screen shows only the latest frame', () => {
    const { clock, advance } = manualClock();
    const tty = new FakeTtyStdout();
    const r = new LiveProgressReporter({ stream: tty as unknown as NodeJS.WriteStream, noColor: true, tickMs: 0, clock });
    r.phase('creating', 'h1');
    for (let i = 0; i < 8; i++) r.event(`event ${i}`);
    advance(500);
    r.phase('entering');
    expect(screenAfter(tty.output)).toEqual(['⠋ entering namespaces 0.5s', '  event 3', '  event 4', '  event 5', '  event 6', '  event 7']);
  });
});

describe('isNoColor', () => {
  it('follows no-color.org: set and not empty', () => {
    expect(isNoColor({ NO_COLOR: '1' })).toBe(true);
    expect(isNoColor({ NO_COLOR: '' })).toBe(false);
    expect(isNoColor({})).toBe(false);
  });
});

describe('notes', () => {
  it('stay on screen above the live area, and after done', async () => {
    const tty = new FakeTtyStdout();
    const r = new LiveProgressReporter({ stream: tty as unknown as NodeJS.WriteStream, noColor: true, tickMs: 0 });
    r.phase('starting');
    r.event('Pulled: image present');
    r.note?.('warning: app is CrashLoopBackOff: entering the pod sandbox (net, uts, ipc)');
    await new Promise((resolve) => setTimeout(resolve, 60));
    await r.done();
    expect(screenAfter(tty.output)).toEqual([
      'warning: app is CrashLoopBackOff: entering the pod sandbox (net, uts, ipc)',
      expect.stringMatching(/^✓ ready \(\d+\.\ds\)$/),
    ]);
  });

  it('plain: one line, no elapsed time', () => {
    const out = collect();
    new PlainProgressReporter(out.stream, () => 0).note?.('took container app (default-container annotation)');
    expect(out.text()).toBe('nsdebug: took container app (default-container annotation)\n');
  });
});
