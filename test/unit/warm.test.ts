// Which warm helper a session may reuse: every rule against hostile annotations,
// each with the one change that must make it fail.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildHelperPrivileges } from '../../src/helper/privileges.js';
import { buildHelperPod } from '../../src/helper/spec.js';
import { chooseHelpersToClean, buildHelperRow } from '../../src/helper/helper-list.js';
import { chooseWarmHelper, formatWarmUntil, liveSpecDigest, parseWarmUntil, provenWarmUntil, specDigest, warmProof, warmSecondsLeft, WARM_PROOF_ANNOTATION, WARM_UNTIL_ANNOTATION } from '../../src/helper/warm.js';
import { readWarmKey } from '../../src/helper/warm-key.js';

const key = Buffer.alloc(32, 7);
const now = new Date('2026-11-30T01:00:00Z');
const input = {
  name: 'nsdebug-web-abcde',
  namespace: 'default',
  nodeName: 'node-1',
  image: 'busybox:1.36.1',
  imagePullPolicy: 'IfNotPresent' as const,
  ttlSeconds: 3660,
  target: 'pod/default/web',
  createdBy: 'alice',
  agentSha256: 'f'.repeat(64),
  privileges: buildHelperPrivileges({ job: 'session', tools: 'helper' }),
  serveArgv: ['sh', '-c', 'AGENT TEXT v1', 'nsdebug-agent', 'serve', '--idle', '30', '--idle-start', '600'],
};
const wantedSpec = buildHelperPod({ ...input, name: 'x', ttlSeconds: 7200 }).spec!;
const wanted = { user: 'alice', nodeName: 'node-1', spec: wantedSpec, key, now };

/** A live warm helper as the API server returns it: defaults added, running, marked by `by` for `until`. */
function warmPod(change: (pod: V1Pod) => void = () => {}, { by = 'alice', until = '2026-11-30T01:01:00Z', uid = '1b4e28ba-2fa1-11d2-883f-0016d3cca427' } = {}): V1Pod {
  const pod = buildHelperPod(input);
  pod.metadata!.uid = uid;
  pod.metadata!.annotations![WARM_UNTIL_ANNOTATION] = until;
  pod.metadata!.annotations![WARM_PROOF_ANNOTATION] = warmProof(key, uid, by, until);
  // What the server adds: defaults the built spec never mentions.
  pod.spec!.schedulerName = 'default-scheduler';
  pod.spec!.securityContext = {};
  pod.spec!.containers[0]!.terminationMessagePath = '/dev/termination-log';
  pod.spec!.containers[0]!.resources = {};
  pod.status = {
    phase: 'Running',
    startTime: new Date('2026-11-30T00:30:00Z'),
    containerStatuses: [{ name: 'nsdebug', image: input.image, imageID: '', ready: true, restartCount: 0, state: { running: {} } }],
  };
  change(pod);
  return pod;
}
const names = (pods: readonly V1Pod[]) => pods.map((p) => p.metadata!.name);

describe('chooseWarmHelper', () => {
  it('reuses the user\'s warm helper whose live spec matches the built one (server defaults ignored, deadline not compared)', () => {
    expect(liveSpecDigest(warmPod().spec, wantedSpec)).toBe(specDigest(wantedSpec));
    expect(chooseWarmHelper([warmPod()], wanted)).toEqual({ reuse: warmPod(), expired: [] });
  });

  it('never another user\'s helper: created-by names them, or names the user with a proof that is not theirs', () => {
    const bobs = warmPod((p) => (p.metadata!.annotations!['nsdebug.dev/created-by'] = 'bob'), { by: 'bob' });
    expect(chooseWarmHelper([bobs], wanted).reuse).toBeUndefined();
    // Bob names alice in created-by but cannot write alice's proof (he lacks her key).
    const forged = warmPod((p) => (p.metadata!.annotations![WARM_PROOF_ANNOTATION] = warmProof(Buffer.alloc(32, 1), p.metadata!.uid!, 'alice', '2026-11-30T01:01:00Z')));
    expect(chooseWarmHelper([forged], wanted)).toEqual({ reuse: undefined, expired: [] });
    // Alice's real annotations copied onto another pod (another uid): the proof names the old uid.
    const copied = warmPod((p) => (p.metadata!.uid = '2b4e28ba-2fa1-11d2-883f-0016d3cca427'));
    expect(chooseWarmHelper([copied], wanted).reuse).toBeUndefined();
    // The user asking is bob: alice's own helper is not his.
    expect(chooseWarmHelper([warmPod()], { ...wanted, user: 'bob' }).reuse).toBeUndefined();
  });

  it('not a helper whose agent or spec differs, or that runs elsewhere or no longer as started', () => {
    const cases: Array<[string, (p: V1Pod) => void]> = [
      ['another agent', (p) => (p.spec!.containers[0]!.command = ['sh', '-c', 'AGENT TEXT v2', 'nsdebug-agent', 'serve', '--idle', '30', '--idle-start', '600'])],
      ['another image (patched)', (p) => (p.spec!.containers[0]!.image = 'evil:latest')],
      ['a toleration added', (p) => p.spec!.tolerations!.push({ key: 'x', operator: 'Exists' })],
      ['unprivileged', (p) => (p.spec!.containers[0]!.securityContext = { privileged: false })],
      ['another volume', (p) => p.spec!.volumes!.push({ name: 'more', emptyDir: {} })],
      ['another node', (p) => (p.spec!.nodeName = 'node-2')],
      ['restarted', (p) => (p.status!.containerStatuses![0]!.restartCount = 1)],
      ['still pending', (p) => (p.status!.phase = 'Pending')],
      ['being deleted', (p) => (p.metadata!.deletionTimestamp = now)],
    ];
    for (const [what, change] of cases) {
      expect(chooseWarmHelper([warmPod(change)], wanted).reuse, what).toBeUndefined();
    }
    expect(chooseWarmHelper([warmPod()], { ...wanted, spec: buildHelperPod({ ...input, privileges: buildHelperPrivileges({ job: 'node-session' }) }).spec! }).reuse).toBeUndefined();
  });

  it('a helper past its warm time (or within the margin) is not reused and is listed for removal', () => {
    const past = warmPod((p) => (p.metadata!.name = 'past'), { until: '2026-11-30T00:59:59Z' });
    const closing = warmPod((p) => (p.metadata!.name = 'closing'), { until: '2026-11-30T01:00:03Z' });
    const c = chooseWarmHelper([past, closing], wanted);
    expect(c.reuse).toBeUndefined();
    expect(names(c.expired)).toEqual(['past', 'closing']);
  });

  it('an annotation edited to a later time cannot reach past the spec\'s own deadline, nor pass the proof', () => {
    // startTime 00:30 + 3660 s = 01:31; the proof is valid for 09:00, but the spec ends it at 01:31.
    const late = warmPod(() => {}, { until: '2026-11-30T09:00:00Z' });
    expect(warmSecondsLeft(late, now)).toBe(31 * 60);
    expect(chooseWarmHelper([late], { ...wanted, now: new Date('2026-11-30T01:31:00Z') }).reuse).toBeUndefined();
    // An edit of the time alone breaks the proof.
    const edited = warmPod((p) => (p.metadata!.annotations![WARM_UNTIL_ANNOTATION] = '2026-11-30T01:20:00Z'));
    expect(provenWarmUntil(edited, 'alice', key)).toBeUndefined();
    for (const text of ['2026-11-30T01:01:00.000Z', '1764464460', '2026-11-30 01:01:00Z', '']) expect(parseWarmUntil(text), text).toBeUndefined();
  });

  it('picks the one with the most time left', () => {
    const a = warmPod((p) => (p.metadata!.name = 'a'), { until: '2026-11-30T01:02:00Z' });
    const b = warmPod((p) => (p.metadata!.name = 'b'), { until: '2026-11-30T01:05:00Z' });
    expect(chooseWarmHelper([a, b], wanted).reuse?.metadata?.name).toBe('b');
    expect(formatWarmUntil(new Date('2026-11-30T01:05:00.789Z'))).toBe('2026-11-30T01:05:00Z');
  });
});

describe('list and clean', () => {
  it('list shows a warm helper\'s time left; clean takes the user\'s proven warm helpers by default, never another\'s', () => {
    expect(buildHelperRow(warmPod(), now, warmSecondsLeft(warmPod(), now)).status).toBe('Warm (60s left)');
    const mine = warmPod();
    const bobs = warmPod((p) => {
      p.metadata!.name = 'bobs';
      p.metadata!.annotations!['nsdebug.dev/created-by'] = 'bob';
    }, { by: 'bob' });
    const isWarm = (pod: V1Pod) => provenWarmUntil(pod, 'alice', key) !== undefined;
    const c = chooseHelpersToClean([mine, bobs], { user: 'alice', all: false, anyUser: true, isWarm });
    expect(names(c.warm)).toEqual(['nsdebug-web-abcde']);
    expect(c.running).toEqual([]);
    expect(c.keptRunning).toBe(1); // bob's counts as running: alice cannot tell whether a session is in it
  });
});

describe('readWarmKey', () => {
  it('makes a 0600 key once and reads the same one after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nsdebug-warm-key-'));
    try {
      const path = join(dir, 'kubectl-nsdebug', 'warm-key');
      expect(() => readWarmKey(path, false)).toThrow();
      const first = readWarmKey(path);
      expect(first).toHaveLength(32);
      expect(readWarmKey(path)).toEqual(first);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
