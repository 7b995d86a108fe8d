// The output side of a session on the real cluster: everything after `--`
// reaches the node byte for byte, and a reader that goes away (`| head -1`)
// ends the plugin as SIGPIPE ends a pipeline's writer (141, no stack trace)
// with the helper pod object gone at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildBusyboxPod, deletePod, kubeEnv, run, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { helperPods, nsdebug } from './helpers/nsdebug.js';

const web = uniqueName('pipe');

beforeAll(async () => {
  await applyPod(buildBusyboxPod(web));
  await waitPodRunning(web);
}, 90_000);

afterAll(async () => {
  await deletePod(web);
});

/** `kubectl nsdebug ARGS | head -1` in bash; the plugin's own status from PIPESTATUS. */
async function intoHead(args: readonly string[], redirect = ''): Promise<{ first: string; status: number; stderr: string }> {
  const script = `kubectl nsdebug "$@" ${redirect} | head -1; echo "plugin-status=\${PIPESTATUS[0]}" >&2`;
  const result = await run('bash', ['-c', script, 'bash', ...args], { env: kubeEnv(), timeoutMs: 90_000 });
  const status = /plugin-status=(\d+)/.exec(result.stderr)?.[1];
  return { first: result.stdout, status: Number(status), stderr: result.stderr.replace(/plugin-status=\d+\n/, '') };
}

function expectNoTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal error|EPIPE|Unhandled|Error:/);
}

describe('a closed output pipe', () => {
  it('-- sh -c yes | head -1: exit 141, no stack trace, the helper object gone right after', async () => {
    const r = await intoHead([`pod/${web}`, '--ns', 'net', '--', 'sh', '-c', 'yes']);
    expect(r.first).toBe('y\n');
    expect(r.status).toBe(141);
    expectNoTrace(r.stderr);
    expect(await helperPods([web])).toEqual([]);
  });

  it('a closed stderr (remote stderr into head) ends the same way', async () => {
    const r = await intoHead([`pod/${web}`, '-q', '--ns', 'net', '--', 'sh', '-c', 'yes >&2'], '2>&1 >/dev/null');
    expect(r.first).toBe('y\n');
    expect(r.status).toBe(141);
    expect(await helperPods([web])).toEqual([]);
  });

  it('stats --watch | head -1: exit 141 once the second sample meets the closed pipe, the helper gone', async () => {
    const r = await intoHead(['stats', `pod/${web}`, '--watch', '-o', 'json']);
    expect(JSON.parse(r.first)).toHaveProperty('time');
    expect(r.status).toBe(141);
    expectNoTrace(r.stderr);
    expect(await helperPods([web])).toEqual([]);
  });

  it('list | head -1 and ns | head -1 stay quiet', async () => {
    for (const args of [['list', '-A'], ['ns', `pod/${web}`]]) {
      const r = await intoHead(args);
      expect([0, 141]).toContain(r.status);
      expectNoTrace(r.stderr);
    }
    expect(await helperPods([web])).toEqual([]);
  });
});

describe('the remote command after --', () => {
  it('reaches the node byte for byte (printf %s\\n of every awkward word, and 1,000 arguments)', async () => {
    const words = [
      '1.50', '0x10', '1e3', '007', '-0', '+5', '.5', 'NaN', '-1.5e-3', '9007199254740993',
      '-1', '--', '-n', 'kube-system', '--ns', '',
      'a  b', ' lead', 'trail ', 'two\nlines', '"dq"', "'sq'", '$(id)', '*',
      'héllo wörld', '日本語', '🙂',
      ...Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? String(i) : `${i}.0`)),
    ];
    const r = await nsdebug([`pod/${web}`, '-q', '--ns', 'net', '--', 'printf', '%s\\n', ...words]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(words.map((w) => `${w}\n`).join(''));
    expect(await helperPods([web])).toEqual([]);
  });
});
