// --keep-warm on the real cluster: the helper stays after the session, the next
// session of the same user reuses it with no create, another user's (or one whose
// annotations were edited) is never entered, and a helper past its warm time ends
// by itself and is removed. Creates are counted as pod uids: a reuse leaves the
// set of this target's helpers unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildBusyboxPod, deletePod, kubectl, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { nsdebug, waitFor } from './helpers/nsdebug.js';

const target = uniqueName('warm');
const OTHER = ['--as', 'nsdebug-e2e-other', '--as-group', 'system:masters'];
const session = (...extra: string[]) => nsdebug([`pod/${target}`, '--ns', 'uts', ...extra, '--', 'hostname']);

interface Helper {
  readonly name: string;
  readonly uid: string;
  readonly phase: string;
  readonly by: string;
  readonly warmUntil: string;
}

/** This target's helpers, oldest first. */
async function helpers(): Promise<Helper[]> {
  const out = await kubectl(['get', 'pods', '-l', 'app.kubernetes.io/managed-by=kubectl-nsdebug', '--sort-by=.metadata.creationTimestamp', '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.status.phase} {.metadata.annotations.nsdebug\\.dev/created-by} {.metadata.annotations.nsdebug\\.dev/warm-until} {.metadata.annotations.nsdebug\\.dev/target}{"\\n"}{end}']);
  return out.split('\n').filter(Boolean).map((line) => line.split(' ')).filter((f) => f[5] === `pod/default/${target}`)
    .map(([name, uid, phase, by, warmUntil]) => ({ name: name!, uid: uid!, phase: phase!, by: by!, warmUntil: warmUntil ?? '' }));
}

async function deleteAllHelpers(): Promise<void> {
  for (const h of await helpers()) await kubectl(['delete', 'pod', h.name, '--grace-period=0', '--force', '--ignore-not-found', '--wait=true']);
}

/** Waits until the first helper's status says Running (a session opens at Started, before that). */
async function waitWarmRunning(): Promise<Helper> {
  return waitFor('a warm helper with Running status', async () => (await helpers()).find((h) => h.phase === 'Running' && h.warmUntil !== ''), 20_000);
}

beforeAll(async () => {
  await applyPod(buildBusyboxPod(target));
  await waitPodRunning(target);
}, 90_000);

afterAll(async () => {
  await deleteAllHelpers();
  await deletePod(target);
}, 60_000);

describe('--keep-warm', () => {
  it('keeps the helper after the session, and the next session of the same user reuses it with no create', async () => {
    const first = await session('--keep-warm', '60s');
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first).toMatchObject({ code: 0, stdout: `${target}\n` });
    const warm = await waitWarmRunning();
    expect(await helpers()).toHaveLength(1);
    const listed = await nsdebug(['list']);
    expect(listed.stdout).toMatch(new RegExp(`${warm.name} .*Warm \\((\\d+s|1m) left\\)`));

    const second = await session('--keep-warm', '60s');
    expect(second).toMatchObject({ code: 0, stdout: `${target}\n` });
    expect(second.stderr).toContain(`reusing warm helper ${warm.name}`);
    // No create: the same pod (uid), and no other helper appeared.
    expect((await helpers()).map((h) => h.uid)).toEqual([warm.uid]);
    // Without --keep-warm a session creates its own (warm reuse is opt-in), and deletes it.
    const plain = await session();
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('reusing');
    expect((await helpers()).map((h) => h.uid)).toEqual([warm.uid]);
  }, 90_000);

  it('another user\'s warm helper is never reused, not even with created-by edited to name us', async () => {
    const mine = await waitWarmRunning();
    await kubectl(['delete', 'pod', mine.name, '--grace-period=0', '--force', '--wait=true']);
    const other = await session('--keep-warm', '60s', ...OTHER);
    expect(other.code).toBe(0);
    const theirs = await waitWarmRunning();
    expect(theirs.by).toBe('nsdebug-e2e-other');

    // The other user's own next session reuses theirs; ours does not.
    const again = await session('--keep-warm', '60s', ...OTHER);
    expect(again.stderr).toContain(`reusing warm helper ${theirs.name}`);
    await waitWarmRunning();
    await kubectl(['annotate', 'pod', theirs.name, '--overwrite', 'nsdebug.dev/created-by=nsdebug-admin']);
    const ours = await session('--keep-warm', '60s');
    expect(ours).toMatchObject({ code: 0, stdout: `${target}\n` });
    expect(ours.stderr).not.toContain('reusing');
    const after = await helpers();
    expect(after.map((h) => h.uid)).toContain(theirs.uid);
    expect(after).toHaveLength(2); // ours was created
    await kubectl(['delete', 'pod', theirs.name, '--grace-period=0', '--force', '--wait=true']);
  }, 90_000);

  it('a warm deadline edited in the annotation is not believed: that helper is not reused', async () => {
    const mine = await waitWarmRunning();
    await kubectl(['annotate', 'pod', mine.name, '--overwrite', 'nsdebug.dev/warm-until=2099-01-01T00:00:00Z']);
    const next = await session('--keep-warm', '60s');
    expect(next.code).toBe(0);
    expect(next.stderr).not.toContain('reusing');
    expect((await helpers()).map((h) => h.uid)).toContain(mine.uid);
    expect(await helpers()).toHaveLength(2);
    await deleteAllHelpers();
  }, 90_000);

  it('one session at a time: a second session while the warm helper is in use gets a helper of its own', async () => {
    expect((await session('--keep-warm', '60s')).code).toBe(0);
    const warm = await waitWarmRunning();
    const long = nsdebug([`pod/${target}`, '--ns', 'uts', '--keep-warm', '60s', '--', 'sh', '-c', 'sleep 4; hostname']);
    // In use: its warm mark is gone while the session lasts.
    await waitFor('the reused helper to lose its warm mark', async () => ((await helpers()).find((h) => h.uid === warm.uid && h.warmUntil === '') ? true : undefined), 10_000);
    const second = await session('--keep-warm', '60s');
    expect(second).toMatchObject({ code: 0, stdout: `${target}\n` });
    expect(second.stderr).not.toContain(`reusing warm helper ${warm.name}`);
    const first = await long;
    expect(first).toMatchObject({ code: 0, stdout: `${target}\n` });
    expect(first.stderr).toContain(`reusing warm helper ${warm.name}`);
    expect(await helpers()).toHaveLength(2);
    await deleteAllHelpers();
  }, 90_000);

  it('past its warm time the helper ends by itself, is not reused, and the next session removes it; clean removes a warm one', async () => {
    const short = await session('--keep-warm', '3s');
    expect(short.code).toBe(0);
    const [expiring] = await helpers();
    // The agent's own deadline ends the pod (3 s, checked once a second; the idle timeout is 30 s).
    await waitFor('the warm helper to end', async () => ((await helpers()).find((h) => h.uid === expiring!.uid && h.phase === 'Succeeded')), 20_000);
    const next = await session('--keep-warm', '60s');
    expect(next.code).toBe(0);
    expect(next.stderr).not.toContain('reusing');
    await waitFor('the ended helper to be removed', async () => ((await helpers()).some((h) => h.uid === expiring!.uid) ? undefined : true), 20_000);

    const warm = await waitWarmRunning();
    const cleaned = await nsdebug(['clean']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain(`pod/${warm.name} (namespace default) deleted`);
  }, 90_000);
});
