import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { CancelledError, UserError } from '../../src/base/errors.js';
import type { Progress } from '../../src/base/progress.js';
import { ExitGuard } from '../../src/helper/exit-guard.js';
import { acquireHelper } from '../../src/helper/handle.js';
import { PIPE_EXIT, runCommand } from '../../src/cli/runner.js';
import { createFakeKube } from './fake-kube.js';

vi.mock('../../src/agent/nsdebug-agent.sh', () => ({ default: '#!/bin/sh\n' }));

const settings = { kube: { namespace: 'shop' }, quiet: false };
const helperSettings = { image: 'busybox', imagePullPolicy: 'IfNotPresent' as const, timeoutSeconds: 5, ttlSeconds: 3600, idleSeconds: 30, idleStartSeconds: 600, keep: false };
const request = { namespace: 'default', nodeName: 'node-1', target: 'pod/default/web', targetName: 'web', use: { job: 'session', tools: 'helper' } as const };

function setup() {
  const fake = createFakeKube({ start: 'running' });
  const events: string[] = [];
  const progress: Progress = {
    phase: (phase) => void events.push(`phase ${phase}`),
    event: () => {},
    note: () => {},
    warn: () => {},
    hold: () => {},
    release: () => {},
    done: async () => void events.push('done'),
    fail: async (message) => void events.push(`fail ${message}`),
  };
  const guard = new ExitGuard({ log: () => {}, exit: (code) => void fake.journal.push(`exit ${code}`) });
  const stdout = new EventEmitter();
  const stderr = new EventEmitter();
  const flags: unknown[] = [];
  const deps = {
    createKube: async (f: unknown) => {
      flags.push(f);
      return fake.kube;
    },
    createProgress: () => progress,
    guard,
    outputs: [stdout, stderr],
  };
  return { ...fake, events, guard, stdout, stderr, deps, flags };
}

const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe('the command runner against a fake API', () => {
  it('hands the task the client built from the flags and returns its status; no signal handler stays', async () => {
    const t = setup();
    const before = process.listenerCount('SIGINT');
    const code = await runCommand(settings, async (ctx) => {
      expect(ctx.kube).toBeDefined();
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      return 7;
    }, t.deps);
    expect(code).toBe(7);
    expect(t.flags).toEqual([{ namespace: 'shop' }]);
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(t.stdout.listenerCount('error')).toBe(0);
  });

  it('ends the progress display with fail before the error surfaces (cancelled for a cancel)', async () => {
    const t = setup();
    await expect(runCommand(settings, async () => {
      throw new UserError('no such pod');
    }, t.deps)).rejects.toThrow('no such pod');
    expect(t.events).toEqual(['fail no such pod']); // what failed, never "failed: failed"
    const c = setup();
    await expect(runCommand(settings, async () => {
      throw new CancelledError();
    }, c.deps)).rejects.toBeInstanceOf(CancelledError);
    expect(c.events).toEqual(['fail cancelled']);
  });

  it('a closed stdout deletes the helper at once, then exits 141, with no error line', async () => {
    const t = setup();
    let helperName = '';
    const code = await runCommand(settings, async (ctx) => {
      const helper = acquireHelper(ctx, helperSettings, request);
      helperName = helper.ref.name;
      await helper.ready();
      t.stdout.emit('error', epipe());
      t.stdout.emit('error', epipe()); // later writes fail too: still one cleanup
      await ctx.guard.terminating?.done;
      // A streaming exec would fail now that its output is gone: that error is not the user's news.
      throw new Error('write after end');
    }, t.deps);
    expect(code).toBe(PIPE_EXIT);
    expect(PIPE_EXIT).toBe(141);
    expect(t.journal.slice(-2)).toEqual([`delete ${helperName}`, 'exit 141']);
    expect(t.journal.filter((line) => line.startsWith('delete'))).toHaveLength(1);
    expect(t.events).not.toContain('fail failed');
    // The stream may keep erroring while the process exits: the listener stays to swallow it.
    expect(t.stdout.listenerCount('error')).toBe(1);
  });

  it('a closed stderr is handled the same way', async () => {
    const t = setup();
    const code = await runCommand(settings, async (ctx) => {
      const helper = acquireHelper(ctx, helperSettings, request);
      await helper.ready();
      t.stderr.emit('error', epipe());
      await ctx.guard.terminating?.done;
      return 0;
    }, t.deps);
    expect(code).toBe(141);
    expect(t.journal.slice(-2)).toEqual([expect.stringMatching(/^delete nsdebug-web-/), 'exit 141']);
  });
});
