import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// The bundler inlines the agent as text; here a stand-in does.
vi.mock('../../src/agent/nsdebug-agent.sh', () => ({ default: '#!/bin/sh\n' }));
import { CancelledError, UserError } from '../../src/base/errors.js';
import type { Progress } from '../../src/base/progress.js';
import { ExitGuard } from '../../src/helper/exit-guard.js';
import { acquireHelper, withHelper, type HelperRequest, type HelperSettings } from '../../src/helper/handle.js';
import { createFakeKube, type FakeKubeOptions } from './fake-kube.js';

const settings: HelperSettings = { image: 'busybox', imagePullPolicy: 'IfNotPresent', timeoutSeconds: 5, ttlSeconds: 3600, idleSeconds: 30, idleStartSeconds: 600, keep: false };
const request: HelperRequest = { namespace: 'default', nodeName: 'node-1', target: 'pod/default/web', targetName: 'web', use: { job: 'session', tools: 'helper' } };

function recordingProgress() {
  const lines: string[] = [];
  const progress: Progress = {
    phase: (phase, detail) => void lines.push(`phase ${phase}${detail ? ` ${detail}` : ''}`),
    event: () => {},
    note: (message) => void lines.push(`note ${message}`),
    warn: (message) => void lines.push(`warn ${message}`),
    hold: () => {},
    release: () => {},
    done: async () => void lines.push('done'),
    fail: async (message) => void lines.push(`fail ${message}`),
  };
  return { progress, lines };
}

function setup(options: FakeKubeOptions = {}) {
  const fake = createFakeKube(options);
  const { progress, lines } = recordingProgress();
  const exits: number[] = [];
  const guard = new ExitGuard({ log: () => {}, exit: (code) => void exits.push(code) });
  return { ...fake, progress, lines, guard, exits, ctx: { kube: fake.kube, progress, guard } };
}

describe('helper handle against a fake API', () => {
  it('checks access, creates, waits until running, runs the agent, then deletes, in that order', async () => {
    const t = setup({ agent: (mode) => (mode === 'ns' ? { stdout: 'dump\n' } : {}) });
    const out = await withHelper(t.ctx, settings, request, (helper) => helper.capture(['sh', '-c', '', 'nsdebug-agent', 'ns']));
    expect(out).toBe('dump\n');
    const name = t.journal.find((line) => line.startsWith('create '))!.slice('create '.length);
    expect(name).toMatch(/^nsdebug-web-[a-z0-9]{5}$/);
    // The heartbeat runs beside the work (its own test below).
    expect(t.journal.filter((line) => !line.endsWith(' heartbeat'))).toEqual(['access', `create ${name}`, 'watch pods', `exec ${name} ns`, `delete ${name}`]);
    expect(t.pods.size).toBe(0);
    expect(t.lines[0]).toBe(`phase creating helper ${name} in namespace default on node node-1`);
  });

  it('deletes the helper when the work fails, and the work\'s error is what surfaces', async () => {
    const t = setup();
    await expect(withHelper(t.ctx, settings, request, async () => {
      throw new UserError('boom');
    })).rejects.toThrow('boom');
    expect(t.journal.at(-1)).toMatch(/^delete nsdebug-web-/);
    expect(t.pods.size).toBe(0);
  });

  it('fails fast on an image that cannot be pulled, and still deletes', async () => {
    const t = setup({ start: 'image-error' });
    await expect(withHelper(t.ctx, settings, request, async () => 0)).rejects.toMatchObject({
      message: 'the helper container cannot start: ErrImagePull: pull access denied',
      hint: expect.stringMatching(/^check --image; if the registry wants credentials, pass a docker-registry secret of namespace default with --image-pull-secret NAME/),
    });
    expect(t.journal.filter((line) => line.startsWith('exec'))).toEqual([]);
    expect(t.journal.at(-1)).toMatch(/^delete /);
  });

  it('on a signal while the helper starts, the guard deletes it before exiting 130', async () => {
    const t = setup({ start: 'never' });
    const helper = acquireHelper(t.ctx, settings, request);
    const ready = helper.ready().catch((error: unknown) => error);
    while (!t.journal.includes('watch pods')) await new Promise((r) => setTimeout(r, 2));
    await t.guard.terminate(130);
    expect(t.journal.at(-1)).toBe(`delete ${helper.ref.name}`);
    expect(t.exits).toEqual([130]);
    expect(await ready).toBeInstanceOf(CancelledError);
  });

  it('released before the create request leaves: nothing is created', async () => {
    let open!: () => void;
    const t = setup({ accessGate: new Promise<void>((resolve) => (open = resolve)) });
    const helper = acquireHelper(t.ctx, settings, request);
    const released = helper.release();
    open();
    await released;
    await helper.ready().catch(() => undefined);
    expect(t.journal.filter((line) => /^(create|delete)/.test(line))).toEqual([]);
  });

  it('--keep leaves the helper and says how to remove it', async () => {
    const t = setup();
    const helper = acquireHelper(t.ctx, { ...settings, keep: true }, request);
    await helper.ready();
    await helper.release();
    expect(t.journal.some((line) => line.startsWith('delete'))).toBe(false);
    expect(t.pods.has(helper.ref.name)).toBe(true);
    expect(t.lines.at(-1)).toBe(`note kept helper pod ${helper.ref.name} (namespace default); remove it with kubectl nsdebug clean --all -n default`);
  });

  it('an agent mode that finds no process is one line naming the fix', async () => {
    const t = setup({ agent: () => ({ stderr: 'nsdebug-agent: no process for container abc\n', code: 124 }) });
    const failure = withHelper(t.ctx, settings, request, (helper) => helper.capture(['sh', '-c', '', 'nsdebug-agent', 'stats']));
    await expect(failure).rejects.toThrow('the helper found no process of the target on its node (nsdebug-agent: no process for container abc)');
  });

  it('beats every third of the idle timeout from Running until release (sessions, picker, ns, stats)', async () => {
    const t = setup();
    const helper = acquireHelper(t.ctx, { ...settings, idleSeconds: 3 }, request);
    await helper.ready();
    await new Promise((r) => setTimeout(r, 1150));
    const beats = t.journal.filter((line) => line.endsWith(' heartbeat')).length;
    await helper.release();
    await new Promise((r) => setTimeout(r, 1100));
    expect(beats).toBe(2); // one at Running, one a third of --idle later
    expect(t.journal.filter((line) => line.endsWith(' heartbeat')).length).toBe(2);
  });

  it('heartbeat(everyMs) beats that often until stopped (a catch holding a freeze), then the regular beats go on', async () => {
    const t = setup();
    const helper = acquireHelper(t.ctx, settings, request); // regular beats every 10 s
    await helper.ready();
    const count = () => t.journal.filter((line) => line.endsWith(' heartbeat')).length;
    const stop = helper.heartbeat(200);
    await new Promise((r) => setTimeout(r, 1050));
    stop();
    const fast = count();
    await new Promise((r) => setTimeout(r, 600));
    expect(fast).toBeGreaterThanOrEqual(5); // at Running, then about every 200 ms (one in flight is skipped)
    expect(count()).toBe(fast);
    await helper.release();
  });

  it('a session that follows at once makes the first separate heartbeat needless (the session beats as it registers)', async () => {
    const t = setup();
    const helper = acquireHelper(t.ctx, { ...settings, idleSeconds: 30 }, { ...request, sessionFollows: true });
    await helper.ready();
    await helper.runAgent(['sh', '-c', '', 'nsdebug-agent', 'session'], { stdin: false, tty: false, streams: { stdin: process.stdin, stdout: process.stderr, stderr: process.stderr } });
    await new Promise((r) => setTimeout(r, 1150));
    await helper.release();
    expect(t.journal.filter((line) => line.endsWith(' heartbeat'))).toEqual([]);
  });

  it('--keep-warm: the deadline grows by the warm time; after a session that ended well the helper is marked warm, not deleted', async () => {
    // The proof's key goes to a scratch cache directory, not the user's.
    vi.stubEnv('XDG_CACHE_HOME', mkdtempSync(join(tmpdir(), 'nsdebug-handle-cache-')));
    const t = setup();
    const warmSettings = { ...settings, keepWarmSeconds: 60 };
    const helper = acquireHelper(t.ctx, warmSettings, request);
    await helper.ready();
    helper.releaseAs('warm');
    await helper.release();
    const name = helper.ref.name;
    expect(t.pods.get(name)?.spec?.activeDeadlineSeconds).toBe(3660);
    expect(t.journal.filter((line) => !line.endsWith(' heartbeat')).slice(-1)).toEqual([`patch ${name} add nsdebug.dev/warm-until, add nsdebug.dev/warm-proof, add nsdebug.dev/target`]);
    expect(t.pods.has(name)).toBe(true);
    // Without releaseAs (an error, a signal) a warm-capable helper is deleted as any other.
    const failed = acquireHelper(t.ctx, warmSettings, request);
    await failed.ready();
    await failed.release();
    expect(t.journal.at(-1)).toBe(`delete ${failed.ref.name}`);
  });

  it('a reused warm helper: no create and no watch; its mark goes while in use; busy leaves it untouched', async () => {
    const t = setup();
    const created = acquireHelper(t.ctx, { ...settings, keepWarmSeconds: 60 }, request);
    await created.ready();
    const pod = t.pods.get(created.ref.name)!;
    t.journal.length = 0;
    const reused = acquireHelper(t.ctx, { ...settings, keepWarmSeconds: 60 }, request, undefined, pod);
    expect(await reused.ready()).toEqual(created.ref);
    reused.releaseAs('untouched');
    await reused.release();
    await new Promise((r) => setTimeout(r, 30)); // the unmark goes beside the session, not awaited
    expect(t.journal.filter((line) => !line.endsWith(' heartbeat'))).toEqual(['access', `patch ${pod.metadata!.name} remove nsdebug.dev/warm-until, remove nsdebug.dev/warm-proof`]);
    expect(t.lines).toContain(`phase creating reusing warm helper ${pod.metadata!.name} in namespace default on node node-1`);
    await created.release();
  });

  const refused = { code: 403, body: { message: 'pods "x" is forbidden' } };
  const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });

  it('retries the delete across API blips, and the session\'s status stays', async () => {
    const t = setup({ deleteFailures: [unreachable, unreachable] });
    await expect(withHelper(t.ctx, settings, request, async () => 7)).resolves.toBe(7);
    expect(t.journal.filter((line) => line.startsWith('delete ')).length).toBe(3);
    expect(t.pods.size).toBe(0);
    expect(t.lines.filter((line) => line.startsWith('note waiting for the API server to delete helper pod'))).toHaveLength(1);
  });

  it('a delete refused: the remote status stays, and one line names the exact kubectl delete', async () => {
    const t = setup({ deleteFailures: [refused] });
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      await expect(withHelper(t.ctx, settings, request, async () => 3)).resolves.toBe(3);
    } finally {
      spy.mockRestore();
    }
    const name = [...t.pods.keys()][0]!;
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(new RegExp(`^error: could not delete the helper pod ${name} .*; delete it with kubectl delete pod ${name} -n default\n$`));
  });

  it('a delete refused after the session failed: the session\'s error stays, one line that also names the kubectl delete', async () => {
    const t = setup({ deleteFailures: [refused] });
    const failure = await withHelper(t.ctx, settings, request, async () => {
      throw new UserError('the session broke', { hint: 'retry' });
    }).catch((error: unknown) => error as UserError);
    const name = [...t.pods.keys()][0]!;
    expect(failure.message).toBe('the session broke');
    expect(failure.hint).toContain(`kubectl delete pod ${name} -n default`);
  });

  it('an ambiguous create (the answer lost) still deletes the helper by its name', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const t = setup({ createLost: reset });
    await expect(withHelper(t.ctx, settings, request, async () => 0)).rejects.toThrow(/cannot reach the API server/);
    expect(t.journal.at(-1)).toMatch(/^delete nsdebug-web-/);
    expect(t.pods.size).toBe(0);
  });
});
