// status: a session given --session-id records its command's exit status, which
// the client reads before it trusts a 0 (a kubelet or runtime restart breaks the
// stream and the API reports Success). A node session with the helper's tools
// needs no pod, so it runs here under every shell.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHELLS, removeDir, runAgent, tempDir } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('nsdebug-agent-status-');
});
afterAll(() => removeDir(dir));

describe.concurrent.each(SHELLS)('status under $name', (shell) => {
  const tag = shell.argv[0] ?? 'sh';
  const env = (name: string) => {
    const run = join(dir, `${tag}-${name}`);
    mkdirSync(run, { recursive: true });
    return { PATH: process.env.PATH, NSDEBUG_RUN: run, NSDEBUG_HOST_ROOT: '/' };
  };

  it('records the command\'s own status, 0 included, and passes it through', async () => {
    const e = env('recorded');
    for (const [id, code] of [['aaaaaaaa1', 3], ['bbbbbbbb2', 0]] as const) {
      const session = await runAgent(shell, ['session', '--node', '--tools', 'helper', '--session-id', id, '--', 'sh', '-c', `echo out; exit ${code}`], e);
      expect(session.status).toBe(code);
      expect(session.stdout).toBe('out\n');
      const status = await runAgent(shell, ['status', '--session-id', id], e);
      expect(status).toMatchObject({ status: 0, stdout: `${code}\n` });
    }
  });

  it('says running while the command runs, unknown for an id it never saw', async () => {
    const e = env('running');
    const session = runAgent(shell, ['session', '--node', '--tools', 'helper', '--session-id', 'cccccccc3', '--', 'sleep', '1'], e);
    await new Promise((r) => setTimeout(r, 400));
    expect((await runAgent(shell, ['status', '--session-id', 'cccccccc3'], e)).stdout).toBe('running\n');
    expect((await session).status).toBe(0);
    expect((await runAgent(shell, ['status', '--session-id', 'dddddddd4'], e)).stdout).toBe('unknown\n');
  });

  it('--marked-exit: a 0 leaves as 218, the command\'s own 217-219 as 217, any other status as itself; the record keeps the real one', async () => {
    const e = env('marked');
    for (const [id, code, leaves] of [['eeeeeeee1', 0, 218], ['eeeeeeee2', 3, 3], ['eeeeeeee3', 218, 217], ['eeeeeeee4', 219, 217], ['eeeeeeee5', 217, 217]] as const) {
      const session = await runAgent(shell, ['session', '--node', '--tools', 'helper', '--session-id', id, '--marked-exit', '--', 'sh', '-c', `exit ${code}`], e);
      expect(session.status).toBe(leaves);
      expect((await runAgent(shell, ['status', '--session-id', id], e)).stdout).toBe(`${code}\n`);
    }
    // Without an id there is no record to ask: refused as usage.
    expect((await runAgent(shell, ['session', '--node', '--tools', 'helper', '--marked-exit', '--', 'true'], e)).status).toBe(125);
  });

  it('--keep-warm: one session at a time (a second one exits 219 silently, running nothing); the end writes the warm deadline and frees the claim', async () => {
    const e = env('warm');
    const run = e.NSDEBUG_RUN;
    const args = (id: string, ...command: string[]) => ['session', '--node', '--tools', 'helper', '--session-id', id, '--marked-exit', '--keep-warm', '30', '--', ...command];
    expect((await runAgent(shell, ['session', '--node', '--tools', 'helper', '--session-id', 'ffffffff0', '--keep-warm', '30', '--', 'true'], e)).status).toBe(125);
    const first = runAgent(shell, args('ffffffff1', 'sleep', '1'), e);
    await new Promise((r) => setTimeout(r, 400));
    const second = await runAgent(shell, args('ffffffff2', 'sh', '-c', 'echo ran'), e);
    expect(second).toMatchObject({ status: 219, stdout: '', stderr: '' });
    expect((await runAgent(shell, ['status', '--session-id', 'ffffffff2'], e)).stdout).toBe('unknown\n');
    const before = Math.floor(Date.now() / 1000);
    expect((await first).status).toBe(218);
    const until = Number(readFileSync(join(run, 'warm-until'), 'utf8'));
    expect(until).toBeGreaterThanOrEqual(before + 30);
    expect(until).toBeLessThanOrEqual(before + 32);
    expect(existsSync(join(run, 'claim'))).toBe(false);
    // Free again; a claim left by a session that died is taken over.
    mkdirSync(join(run, 'claim'));
    writeFileSync(join(run, 'claim', 'pid'), '999999\n');
    expect((await runAgent(shell, args('ffffffff3', 'true'), e)).status).toBe(218);
    // Warm time over: refused, nothing runs.
    writeFileSync(join(run, 'warm-until'), `${before - 1}\n`);
    expect((await runAgent(shell, args('ffffffff4', 'sh', '-c', 'echo ran'), e))).toMatchObject({ status: 219, stdout: '' });
  });

  it('rejects a malformed id as usage (125)', async () => {
    for (const id of ['short', 'UPPERCASE1', '../../etc1', 'a'.repeat(33)]) {
      expect((await runAgent(shell, ['status', '--session-id', id], env('bad'))).status).toBe(125);
    }
  });
});
