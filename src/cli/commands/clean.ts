import type { V1Pod } from '@kubernetes/client-node';
import { UserError } from '../../base/errors.js';
import { visible } from '../../base/visible.js';
import { chooseHelpersToClean, type CleanChoice } from '../../helper/helper-list.js';
import { deleteHelper, helperRefOf } from '../../helper/lifecycle.js';
import { resolveUserName } from '../../kube/access.js';
import { provenWarmUntil } from '../../helper/warm.js';
import { readWarmKey } from '../../helper/warm-key.js';
import { validateHelperOptions, type RawHelperArgs } from '../debug-options.js';
import { runCommand } from '../runner.js';
import { listHelpers } from './list.js';

export interface RawCleanArgs extends RawHelperArgs {
  readonly all?: boolean | undefined;
  readonly yes?: boolean | undefined;
  readonly anyUser?: boolean | undefined;
}

/**
 * Deletes the current user's finished and warm helpers; running ones with --all (asked on a
 * terminal, or --yes), other users' with --any-user. Pods with nsdebug's label but not
 * its annotations are never touched. One line per pod; exit 1 when a delete failed.
 */
export async function runCleanCommand(raw: RawCleanArgs): Promise<number> {
  const options = validateHelperOptions(raw, process.env);
  return runCommand(options, async ({ kube, progress }) => {
    const [pods, user] = await Promise.all([listHelpers(kube, raw.allNamespaces ?? false), resolveUserName(kube)]);
    const key = warmKeyOrNone();
    // Warm: marked by this user's client (its proof), so no session of theirs is in it.
    const isWarm = (pod: V1Pod) => key !== undefined && provenWarmUntil(pod, user, key) !== undefined;
    const choice = chooseHelpersToClean(pods, { user, all: raw.all ?? false, anyUser: raw.anyUser ?? false, isWarm });
    if (choice.running.length > 0 && !raw.yes) await confirmEndingSessions(choice.running);
    await progress.done();
    const doomed = [...choice.finished, ...choice.warm, ...choice.running];
    const results = await Promise.allSettled(doomed.map((pod) => deleteHelper(kube, helperRefOf(pod))));
    let failed = 0;
    results.forEach((result, i) => {
      const pod = doomed[i]!;
      const what = `pod/${visible(pod.metadata?.name ?? '')} (namespace ${visible(pod.metadata?.namespace ?? '')})`;
      if (result.status === 'fulfilled') {
        process.stdout.write(`${what} deleted\n`);
      } else {
        failed++;
        process.stderr.write(`error: ${what} not deleted: ${visible(errorText(result.reason))}\n`);
      }
    });
    if (!options.quiet) process.stderr.write(`nsdebug: ${summary(doomed.length - failed, failed, choice, user)}\n`);
    return failed > 0 ? 1 : 0;
  });
}

function summary(deleted: number, failed: number, choice: CleanChoice, user: string): string {
  const parts = [`deleted ${deleted} helper pod${deleted === 1 ? '' : 's'}`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (choice.keptRunning > 0) parts.push(`${choice.keptRunning} still in a session (use --all to end them too)`);
  if (choice.otherUsers > 0) parts.push(`${choice.otherUsers} of other users than ${visible(user)} left alone (use --any-user)`);
  if (choice.notOurs > 0) parts.push(`${choice.notOurs} with nsdebug's label but not its annotations left alone (not created by nsdebug)`);
  return parts.join('; ');
}

/** No key yet (never kept a helper warm here) or an unreadable one: nothing counts as warm. */
function warmKeyOrNone(): Buffer | undefined {
  try {
    return readWarmKey(undefined, false);
  } catch {
    return undefined;
  }
}

function errorText(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** Ending someone's running session needs a yes on a terminal, or --yes. */
async function confirmEndingSessions(running: readonly V1Pod[]): Promise<void> {
  const what = `${running.length} helper pod${running.length === 1 ? '' : 's'} whose session still runs`;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UserError(`--all would delete ${what}, and there is no terminal to confirm`, { hint: 'add --yes to end them' });
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const names = running.map((pod) => `${visible(pod.metadata?.namespace ?? '')}/${visible(pod.metadata?.name ?? '')}`).join(', ');
    const answer = await rl.question(`Delete ${what} (${names})? This ends those sessions. [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new UserError('nothing deleted', { hint: 'answer y to end the running sessions, or leave out --all' });
  } finally {
    rl.close();
  }
}
