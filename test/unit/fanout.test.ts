import { readFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/base/errors.js';
import { validateFanout } from '../../src/cli/fanout-options.js';
import { validateDebugOptions } from '../../src/cli/debug-options.js';
import { validateNsOptions, validateStatsOptions } from '../../src/cli/inspect-options.js';
import { parseStats } from '../../src/inspect/stats-parse.js';
import { renderFleetStatsJson, renderFleetStatsTable, rowTrouble } from '../../src/inspect/stats-fleet.js';
import {
  buildPrefixes,
  fanoutExitCode,
  LinePrefixer,
  mapBounded,
  planFanout,
  renderFanoutJson,
  skipReason,
  summarizeFanout,
  visibleText,
  type PodResult,
} from '../../src/session/fanout.js';

function pod(name: string, node: string | undefined, phase = 'Running', extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return { metadata: { name, namespace: 'default', uid: `uid-${name}`, ...extra }, spec: { containers: [{ name: 'main' }], ...(node ? { nodeName: node } : {}) }, status: { phase } };
}

const result = (p: string, exitCode: number | null, extra: Partial<PodResult> = {}): PodResult => ({ pod: p, node: 'n1', container: 'main', exitCode, stdout: '', stderr: '', ...extra });

describe('planFanout', () => {
  it('one helper per node with a pod to enter; pods in name order; Pending, finished and deleting pods skipped with why', () => {
    const plan = planFanout([
      pod('api-d', 'node-2'),
      pod('api-a', 'node-1'),
      pod('api-p', undefined, 'Pending'),
      pod('api-c', 'node-2'),
      pod('api-f', 'node-3', 'Succeeded'),
      pod('api-g', 'node-3', 'Failed'),
      pod('api-x', 'node-4', 'Running', { deletionTimestamp: new Date(0) }),
      pod('api-s', 'node-5', 'Pending'),
      pod('api-b', 'node-1'),
    ]);
    expect(plan.pods.map((p) => p.metadata!.name)).toEqual(['api-a', 'api-b', 'api-c', 'api-d']);
    expect(plan.nodes).toEqual(['node-1', 'node-2']);
    expect(plan.skipped).toEqual([
      { pod: 'api-f', reason: 'finished (Succeeded)' },
      { pod: 'api-g', reason: 'finished (Failed)' },
      { pod: 'api-p', reason: 'Pending (not scheduled to a node)' },
      { pod: 'api-s', reason: 'Pending (not running yet)' },
      { pod: 'api-x', reason: 'being deleted' },
    ]);
  });

  it('a running pod is enterable', () => {
    expect(skipReason(pod('a', 'n'))).toBeUndefined();
  });
});

describe('prefixes and lines', () => {
  it('aligns the pod names, colours only when asked, and makes control characters visible', () => {
    const plain = buildPrefixes(['api-1', 'api-long-2', 'e\u001b[2J'], false);
    expect([...plain.values()]).toEqual(['api-1      | ', 'api-long-2 | ', 'e\\x1b[2J   | ']);
    const colored = buildPrefixes(['a', 'bb'], true);
    expect(colored.get('a')).toBe('\u001b[36ma \u001b[0m | ');
    expect(colored.get('bb')).toBe('\u001b[33mbb\u001b[0m | ');
    expect(visibleText('x\ty\u007f\u009b')).toBe('x\\x09y\\x7f\\x9b');
  });

  it('keeps lines whole across chunks and flushes an unterminated last line', () => {
    const p = new LinePrefixer('P | ');
    expect(p.push('one\ntw')).toBe('P | one\n');
    expect(p.push('o')).toBe('');
    expect(p.push('\n\nthree')).toBe('P | two\nP | \n');
    expect(p.end()).toBe('P | three\n');
    expect(p.end()).toBe('');
  });
});

describe('exit status, summary and JSON', () => {
  it('0 when all succeeded, else the first non-zero in pod order; no status counts as 1', () => {
    expect(fanoutExitCode([result('a', 0), result('b', 0)])).toBe(0);
    expect(fanoutExitCode([result('a', 0), result('b', 3), result('c', 2)])).toBe(3);
    expect(fanoutExitCode([result('a', null), result('b', 3)])).toBe(1);
    expect(fanoutExitCode([])).toBe(0);
  });

  it('the summary names the failed pods (with their status) and the skipped ones', () => {
    expect(summarizeFanout([result('a', 0), result('b', 0)], [])).toBe('nsdebug: 2 of 2 pods succeeded');
    expect(summarizeFanout([result('a', 0), result('b', 3), result('c', null, { error: 'x' })], [{ pod: 'p', reason: 'Pending' }])).toBe(
      'nsdebug: 1 of 3 pods succeeded; failed: b (exit 3), c (no exit status); skipped: p',
    );
  });

  it('-o json: [{pod, node, container, exitCode, stdout, stderr}], error only when there is one', () => {
    const json = JSON.parse(renderFanoutJson([result('a', 0, { stdout: 'hi\n' }), result('b', null, { node: 'n2', error: 'lost' })]));
    expect(json).toEqual([
      { pod: 'a', node: 'n1', container: 'main', exitCode: 0, stdout: 'hi\n', stderr: '' },
      { pod: 'b', node: 'n2', container: 'main', exitCode: null, stdout: '', stderr: '', error: 'lost' },
    ]);
  });
});

describe('mapBounded', () => {
  it('never runs more than the limit at once and keeps the order', async () => {
    let now = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 1, 1], 3, async (ms, i) => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, ms));
      now--;
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });
});

describe('the fan-out flags', () => {
  const run = (raw: Record<string, unknown>, env = {}) => validateDebugOptions({ '--': ['ss', '-tn'], ...raw }, env, { stdinIsTTY: false, stdoutIsTTY: false });
  const fails = (fn: () => unknown, message: RegExp) => {
    expect(fn).toThrow(UserError);
    expect(fn).toThrow(message);
  };

  it('--all-pods with a workload, -l without a TARGET (implies --all-pods), and --max-parallel', () => {
    expect(run({ target: 'deploy/api', allPods: true }).fanout).toEqual({ source: { kind: 'target', target: { kind: 'deployment', name: 'api' } }, maxParallel: 10 });
    expect(run({ selector: 'app=api', maxParallel: 3 }).fanout).toEqual({ source: { kind: 'selector', selector: 'app=api' }, maxParallel: 3 });
    expect(run({ target: 'deploy/api' }).fanout).toBeUndefined();
    expect(run({ target: 'deploy/api', allPods: true, output: 'json' }).output).toBe('json');
  });

  it('one line for each bad combination', () => {
    fails(() => run({ target: 'deploy/api', allPods: true, '--': [] }), /--all-pods needs a COMMAND/);
    fails(() => validateDebugOptions({ target: 'deploy/api', allPods: true }, {}, { stdinIsTTY: true, stdoutIsTTY: true }), /--all-pods needs a COMMAND/);
    fails(() => run({ target: 'deploy/api', allPods: true, stdin: true }), /-i\/--stdin and -t\/--tty cannot go with --all-pods/);
    fails(() => run({ target: 'deploy/api', selector: 'a=b' }), /-l\/--selector and a TARGET exclude each other/);
    fails(() => run({ selector: ' ' }), /-l\/--selector is empty/);
    fails(() => run({ target: 'node/n1', allPods: true }), /not node\/n1/);
    fails(() => run({ allPods: true }), /--all-pods needs a workload TARGET or -l SELECTOR/);
    fails(() => run({ target: 'deploy/api', allPods: true, maxParallel: 0 }), /--max-parallel "0"/);
    fails(() => run({ target: 'deploy/api', allPods: true, maxParallel: 1.5 }), /--max-parallel/);
    fails(() => run({ target: 'deploy/api', output: 'json' }), /-o\/--output needs --all-pods/);
    expect(() => validateFanout({ allPods: true }, { kind: 'pod', name: 'web' }, '')).not.toThrow();
  });

  it('ns and stats: -l without TARGET, --all-pods with one; stats --watch follows one pod', () => {
    expect(validateNsOptions({ selector: 'app=api' }, {})).toMatchObject({ target: undefined, fanout: { source: { kind: 'selector', selector: 'app=api' } } });
    expect(validateStatsOptions({ target: 'sts/db', allPods: true, output: 'json' }, {})).toMatchObject({ target: { kind: 'statefulset', name: 'db' }, fanout: { maxParallel: 10 }, output: 'json' });
    expect(validateNsOptions({ target: 'pod/web' }, {}).fanout).toBeUndefined();
    fails(() => validateStatsOptions({ target: 'deploy/api', allPods: true, watch: true }, {}), /--watch follows one pod/);
    fails(() => validateNsOptions({}, {}), /no TARGET given/);
  });

  it('NSDEBUG_TEST_HELPER_NODE (a test hook) pins the helper; a bad value is one line', () => {
    expect(run({ target: 'pod/web' }, { NSDEBUG_TEST_HELPER_NODE: 'nsdebug-node-2' }).testHelperNode).toBe('nsdebug-node-2');
    expect(run({ target: 'pod/web' }).testHelperNode).toBeUndefined();
    fails(() => run({ target: 'pod/web' }, { NSDEBUG_TEST_HELPER_NODE: 'Bad Node' }), /NSDEBUG_TEST_HELPER_NODE "Bad Node"/);
  });
});

describe('stats --all-pods table', () => {
  const fixture = (name: string) => parseStats(readFileSync(new URL(`inspect/fixtures/${name}`, import.meta.url), 'utf8'), 'main');
  it('one row per pod; the throttled/OOM-killed/near-limit replica is marked and named; an error row says why', () => {
    const good = fixture('stats-v2-unlimited.txt');
    const bad = fixture('stats-v1-limited.txt');
    const oom = { ...good, memory: { ...good.memory, oomKills: 2 } };
    expect(rowTrouble(good)).toEqual([]);
    expect(rowTrouble(oom)).toContain('oom-killed');
    const table = renderFleetStatsTable(
      [
        { pod: 'api-a', node: 'n1', stats: good },
        { pod: 'api-b', node: 'n2', stats: bad },
        { pod: 'api-c', node: 'n2', stats: oom },
        { pod: 'api-\u001bd', node: 'n1', error: 'lost' },
      ],
      visibleText,
    );
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^\s+POD\s+NODE\s+CONTAINER\s+CPU LIMIT\s+CPU USED\s+THROTTLED\s+MEM LIMIT\s+MEM USED\s+OOM KILLS$/);
    expect(lines[1]).toMatch(/^ {3}api-a/);
    expect(lines[2]).toMatch(/^! {2}api-b\s+n2\s+main\s+0\.5\s/);
    expect(lines[3]).toMatch(/^! {2}api-c .* 2$/);
    expect(lines[4]).toMatch(/^! {2}api-\\x1bd\s+n1\s+error: lost$/);
    expect(table).toContain('! api-b: throttled');
    expect(table).toContain('! api-c: oom-killed');
    expect(JSON.parse(renderFleetStatsJson([{ pod: 'a', node: 'n', stats: good }, { pod: 'b', node: 'n', error: 'x' }]))).toEqual([
      { pod: 'a', node: 'n', ...JSON.parse(JSON.stringify(good)) },
      { pod: 'b', node: 'n', error: 'x' },
    ]);
  });
});
