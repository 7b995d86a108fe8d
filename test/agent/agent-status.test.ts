// status: a session given --session-id records its command's exit status, which
// the client reads before it trusts a 0 (a kubelet or runtime restart breaks the
// stream and the API reports Success). A node session with the helper's tools
// needs no pod, so it runs here under every shell.
import { mkdirSync } from 'node:fs';
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

  it('rejects a malformed id as usage (125)', async () => {
    for (const id of ['short', 'UPPERCASE1', '../../etc1', 'a'.repeat(33)]) {
      expect((await runAgent(shell, ['status', '--session-id', id], env('bad'))).status).toBe(125);
    }
  });
});
