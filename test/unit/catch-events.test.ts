import { describe, expect, it } from 'vitest';
import { parseCatchEvent } from '../../src/agent/catch-events.js';

const ID = 'ab'.repeat(32);

describe('parseCatchEvent', () => {
  it('reads each event the agent writes (docs/design.md, mode catch)', () => {
    expect(parseCatchEvent('nsdebug-catch: waiting freezer=v1 timeout=600')).toEqual({ kind: 'waiting', freezer: 'v1', timeoutSeconds: 600 });
    expect(parseCatchEvent(`nsdebug-catch: vanished container=${ID} lived_ms=30`)).toEqual({ kind: 'vanished', containerId: ID, livedMs: 30 });
    expect(
      parseCatchEvent(
        `nsdebug-catch: frozen container=${ID} pid=353 state=S procs=2 cpu_ticks=0 started=448966 frozen=448969 hz=100 start_to_freeze_ms=30 seen_to_freeze_ms=20 settle_ms=10`,
      ),
    ).toEqual({ kind: 'frozen', containerId: ID, pid: 353, state: 'S', procs: 2, cpuTicks: 0, hz: 100, startToFreezeMs: 30, seenToFreezeMs: 20, settleMs: 10 });
    expect(parseCatchEvent(`nsdebug-catch: escaped container=${ID} lived_ms=40`)).toEqual({ kind: 'escaped', containerId: ID, livedMs: 40 });
    expect(parseCatchEvent(`nsdebug-catch: released container=${ID} action=kill frozen_ms=1200`)).toEqual({
      kind: 'released',
      containerId: ID,
      action: 'kill',
      frozenMs: 1200,
    });
    expect(parseCatchEvent(`nsdebug-catch: released container=${ID} action=thaw frozen_ms=?`)).toEqual({ kind: 'released', containerId: ID, action: 'thaw' });
  });

  it('leaves every other line alone, and malformed events too', () => {
    for (const line of [
      'nsdebug-agent: warning: x',
      'hello',
      'nsdebug-catch: waiting freezer=v3 timeout=1',
      'nsdebug-catch: frozen container=xyz pid=1',
      `nsdebug-catch: escaped container=${ID} lived_ms=abc`,
      `nsdebug-catch: released container=${ID} action=explode`,
      'nsdebug-catch: dance',
      ` nsdebug-catch: waiting freezer=v1 timeout=1`,
    ]) {
      expect(parseCatchEvent(line), line).toBeUndefined();
    }
  });

  it('an odd state character becomes ?', () => {
    const e = parseCatchEvent(`nsdebug-catch: frozen container=${ID} pid=1 state=\x1b procs=1 hz=100 start_to_freeze_ms=1 seen_to_freeze_ms=1 settle_ms=0`);
    expect(e).toMatchObject({ kind: 'frozen', state: '?' });
    expect(e && 'cpuTicks' in e).toBe(false);
  });
});
