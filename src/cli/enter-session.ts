// The last steps of every session, plain or picked: run the agent's session mode
// in the acquired helper with the user's stdio, beating while it lasts.
import { randomBytes } from 'node:crypto';
import { buildStatusArgv } from '../agent/argv.js';
import { UserError } from '../base/errors.js';
import type { Progress } from '../base/progress.js';
import type { HelperHandle } from '../helper/handle.js';
import { buildSessionCommand, describeEntering, type ResolvedSession } from '../session/session.js';
import type { DebugOptions } from './debug-options.js';

/** Runs the session's command in the running helper and returns its exit status. */
export async function enterSession(options: Pick<DebugOptions, 'command' | 'tools' | 'stdin' | 'tty'>, session: ResolvedSession, helper: HelperHandle, progress: Progress): Promise<number> {
  const sessionId = randomSessionId();
  const argv = buildSessionCommand(session, options.command, options.tools, sessionId);
  progress.phase('entering', describeEntering(session));
  await progress.done();
  // The helper beats from Running until release: a client killed outright stops
  // beating, and the agent ends the session and the helper (the runtime keeps
  // exec'd processes after the stream dies).
  const code = await helper.runAgent(argv, { stdin: options.stdin, tty: options.tty });
  return code === 0 ? confirmSuccess(helper, sessionId) : code;
}

/**
 * A stream broken by a kubelet or runtime restart ends with Success: a 0 is
 * trusted only when the agent recorded the command's own 0 (one more exec).
 */
async function confirmSuccess(helper: HelperHandle, sessionId: string): Promise<number> {
  const unknown = (why: string) =>
    new UserError(`the session's exit status is unknown: ${why}`, {
      hint: 'the node\'s kubelet or container runtime may have restarted; check the command\'s effect and rerun it if needed',
    });
  let recorded = '';
  // A restarting kubelet or runtime answers again within seconds: ask up to three times.
  for (let attempt = 1; ; attempt++) {
    try {
      recorded = (await helper.capture(buildStatusArgv(sessionId))).trim();
      break;
    } catch (error) {
      if (attempt < CONFIRM_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        continue;
      }
      throw unknown(`the stream ended with success but the helper could not be asked to confirm it (${error instanceof Error ? error.message.replace(/[.;]+$/, '') : String(error)})`);
    }
  }
  if (/^\d{1,3}$/.test(recorded)) return Number(recorded);
  throw unknown(recorded === 'running' ? 'the connection broke while the command still ran' : 'the helper has no record of the command ending');
}

const CONFIRM_ATTEMPTS = 3;

function randomSessionId(): string {
  return randomBytes(8).toString('hex');
}

/** Shows what planning chose (notes) and what it had to change (warnings). */
export function reportChoices(progress: Pick<Progress, 'note' | 'warn'>, built: { readonly notes: readonly string[]; readonly warnings: readonly string[] }): void {
  for (const note of built.notes) progress.note(note);
  for (const warning of built.warnings) progress.warn(warning);
}
