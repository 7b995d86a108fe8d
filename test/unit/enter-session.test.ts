// The session's exit status through the helper: a marked 0 needs no second exec, a
// stream's own 0 is asked about, and a warm helper's refusal (busy) leaves it alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/agent/nsdebug-agent.sh', () => ({ default: '#!/bin/sh\n' }));
import type { Progress } from '../../src/base/progress.js';
import { ExitGuard } from '../../src/helper/exit-guard.js';
import { acquireHelper, type HelperSettings } from '../../src/helper/handle.js';
import { buildNodeSession } from '../../src/session/session.js';
import { WarmHelperBusy, enterSession } from '../../src/cli/enter-session.js';
import { createFakeKube } from './fake-kube.js';

const settings: HelperSettings = { image: 'busybox', imagePullPolicy: 'IfNotPresent', timeoutSeconds: 5, ttlSeconds: 3600, idleSeconds: 30, idleStartSeconds: 600, keep: false };
const request = { namespace: 'default', nodeName: 'node-1', target: 'node/node-1', targetName: 'node-1', use: { job: 'node-session' } as const, sessionFollows: true };
const progress: Progress = { phase: () => {}, event: () => {}, note: () => {}, warn: () => {}, hold: () => {}, release: () => {}, done: async () => {}, fail: async () => {} };
const session = buildNodeSession({ kind: 'node', name: 'node-1' }, 'default');
const sink = { stdin: false, tty: false };

async function run(codes: Record<string, { code?: number; stdout?: string }>, keepWarmSeconds?: number) {
  const fake = createFakeKube({ agent: (mode) => codes[mode] ?? {} });
  const guard = new ExitGuard({ log: () => {}, exit: () => {} });
  const helper = acquireHelper({ kube: fake.kube, progress, guard }, { ...settings, keepWarmSeconds }, request);
  await helper.ready();
  // The session's stdio: the fake writes nothing unless told, so the process's own is fine.
  const result = enterSession({ command: ['true'], tools: 'helper', stdin: sink.stdin, tty: sink.tty, keepWarmSeconds }, session, helper, progress, fake.kube);
  const settled = await result.then((status) => ({ status }), (error: unknown) => ({ error }));
  await helper.release().catch(() => {});
  return { ...settled, execs: fake.journal.filter((l) => l.startsWith('exec ')).map((l) => l.split(' ').pop()), journal: fake.journal };
}

describe('enterSession', () => {
  it('a marked 0 (218) is 0 with no status exec; other statuses pass through', async () => {
    expect(await run({ session: { code: 218 } })).toMatchObject({ status: 0, execs: ['session'] });
    expect(await run({ session: { code: 3 } })).toMatchObject({ status: 3, execs: ['session'] });
  });

  it('a stream\'s own 0 (a broken stream) or 217 asks the agent\'s record', async () => {
    expect(await run({ session: { code: 0 }, status: { stdout: '0\n' } })).toMatchObject({ status: 0, execs: ['session', 'status'] });
    expect(await run({ session: { code: 217 }, status: { stdout: '218\n' } })).toMatchObject({ status: 218, execs: ['session', 'status'] });
    const broken = await run({ session: { code: 0 }, status: { stdout: 'running\n' } });
    expect(String((broken as { error?: Error }).error?.message)).toMatch(/exit status is unknown: the connection broke while the command still ran/);
  });

  it('--keep-warm: busy (219) throws WarmHelperBusy and leaves the helper; a status leaves it warm', async () => {
    const busy = await run({ session: { code: 219 } }, 60);
    expect((busy as { error?: unknown }).error).toBeInstanceOf(WarmHelperBusy);
    expect(busy.journal.some((l) => l.startsWith('delete ') || l.startsWith('patch '))).toBe(false);
    vi.stubEnv('XDG_CACHE_HOME', mkdtempSync(join(tmpdir(), 'nsdebug-enter-session-cache-')));
    const warm = await run({ session: { code: 218 } }, 60);
    expect(warm).toMatchObject({ status: 0 });
    expect(warm.journal.some((l) => /^patch \S+ add nsdebug.dev\/warm-until/.test(l))).toBe(true);
    expect(warm.journal.some((l) => l.startsWith('delete '))).toBe(false);
  });
});
