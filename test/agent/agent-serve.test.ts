// serve: the helper's idle watchdog, under every shell. The cases run
// concurrently: each one waits on real time.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHELLS, removeDir, startAgent, tempDir } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('nsdebug-agent-serve-');
});
afterAll(() => removeDir(dir));

function runDir(name: string): string {
  const run = join(dir, name);
  mkdirSync(join(run, 'sessions'), { recursive: true });
  return run;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.concurrent.each(SHELLS)('serve under $name', (shell) => {
  const tag = shell.argv[0] ?? 'sh';

  it('exits 0 by itself when no session starts within --idle-start', async () => {
    const { done } = startAgent(shell, ['serve', '--idle', '1', '--idle-start', '2'], { PATH: process.env.PATH, NSDEBUG_RUN: runDir(`${tag}-none`) });
    const { code, ms } = await done;
    expect(code).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(4500);
  });

  it('stays while a registered session lives, then exits --idle seconds after it ended', async () => {
    const run = runDir(`${tag}-live`);
    const session = spawn('sleep', ['2'], { stdio: 'ignore' });
    const file = join(run, 'sessions', String(session.pid));
    writeFileSync(file, '');
    const sessionEnded = new Promise<number>((r) => session.on('exit', () => r(Date.now())));
    const { child, done } = startAgent(shell, ['serve', '--idle', '1', '--idle-start', '1'], { PATH: process.env.PATH, NSDEBUG_RUN: run });
    await sleep(1600);
    expect(child.exitCode).toBeNull(); // past --idle-start, but the session is alive
    const [{ code, at }, endedAt] = await Promise.all([done, sessionEnded]);
    expect(code).toBe(0);
    // Checked once a second: gone within --idle plus one tick, never before.
    expect(at - endedAt).toBeGreaterThanOrEqual(0);
    expect(at - endedAt).toBeLessThan(3000);
    expect(existsSync(file)).toBe(false); // the ended session's entry is removed
  });

  it('ends a session whose client stopped beating, then exits', async () => {
    const run = runDir(`${tag}-beat`);
    // detached: a session leader, like an exec'd process, so its whole session can be ended.
    const session = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    const ended = new Promise<string | null>((r) => session.on('exit', (_code, signal) => r(signal)));
    writeFileSync(join(run, 'sessions', String(session.pid)), '');
    const beat = () => writeFileSync(join(run, 'heartbeat'), `${Math.floor(Date.now() / 1000)}\n`);
    beat();
    const beating = setInterval(beat, 300);
    const { child, done } = startAgent(shell, ['serve', '--idle', '2', '--idle-start', '1'], { PATH: process.env.PATH, NSDEBUG_RUN: run });
    try {
      await sleep(3500);
      expect(child.exitCode).toBeNull(); // beats keep the session
      expect(session.exitCode).toBeNull();
    } finally {
      clearInterval(beating);
    }
    const stopped = Date.now();
    const [{ code, at }, signal] = await Promise.all([done, ended]);
    expect(signal).toBe('SIGHUP');
    expect(code).toBe(0);
    expect(at - stopped).toBeLessThan(6000);
  }, 15_000);

  it('before any session: beats outlast --idle-start, and it exits --idle seconds after they stop (picker, stats --watch)', async () => {
    const run = runDir(`${tag}-beat-only`);
    const beat = () => writeFileSync(join(run, 'heartbeat'), `${Math.floor(Date.now() / 1000)}\n`);
    beat();
    const beating = setInterval(beat, 300);
    const { child, done } = startAgent(shell, ['serve', '--idle', '2', '--idle-start', '1'], { PATH: process.env.PATH, NSDEBUG_RUN: run });
    try {
      await sleep(3000);
      expect(child.exitCode).toBeNull(); // past --idle-start, but the client beats
    } finally {
      clearInterval(beating);
    }
    const stopped = Date.now();
    const { code, at } = await done;
    expect(code).toBe(0);
    expect(at - stopped).toBeGreaterThanOrEqual(900);
    expect(at - stopped).toBeLessThan(4500);
  }, 15_000);

  it('a warm helper (warm-until written by a --keep-warm session) stays past --idle until its warm time, then exits', async () => {
    const run = runDir(`${tag}-warm`);
    const session = spawn('sleep', ['0.3'], { stdio: 'ignore' });
    writeFileSync(join(run, 'sessions', String(session.pid)), '');
    const warmUntil = Math.floor(Date.now() / 1000) + 4;
    writeFileSync(join(run, 'warm-until'), `${warmUntil}\n`);
    const { child, done } = startAgent(shell, ['serve', '--idle', '1', '--idle-start', '1'], { PATH: process.env.PATH, NSDEBUG_RUN: run });
    await sleep(2500);
    expect(child.exitCode).toBeNull(); // past --idle after the session: warm
    const { code, at } = await done;
    expect(code).toBe(0);
    expect(at).toBeGreaterThanOrEqual(warmUntil * 1000);
    expect(at).toBeLessThan(warmUntil * 1000 + 2500);
  }, 15_000);

  it('exits 0 at once on TERM', async () => {
    const { child, done } = startAgent(shell, ['serve'], { PATH: process.env.PATH, NSDEBUG_RUN: runDir(`${tag}-term`) });
    await sleep(400);
    expect(child.exitCode).toBeNull();
    const sent = Date.now();
    child.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(600);
  });
});
