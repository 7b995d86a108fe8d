// The last steps of every session, plain or picked: run the agent's session mode
// in the acquired helper with the user's stdio, beating while it lasts.
import type { Progress } from '../base/progress.js';
import type { HelperHandle } from '../helper/handle.js';
import { buildSessionCommand, describeEntering, type ResolvedSession } from '../session/session.js';
import type { DebugOptions } from './debug-options.js';

/** Runs the session's command in the running helper and returns its exit status. */
export async function enterSession(options: Pick<DebugOptions, 'command' | 'tools' | 'stdin' | 'tty'>, session: ResolvedSession, helper: HelperHandle, progress: Progress): Promise<number> {
  const argv = buildSessionCommand(session, options.command, options.tools);
  progress.phase('entering', describeEntering(session));
  await progress.done();
  // A client killed outright stops beating, and the agent ends the session and
  // the helper (the runtime keeps exec'd processes after the stream dies).
  const stopHeartbeat = helper.heartbeat();
  try {
    return await helper.runAgent(argv, { stdin: options.stdin, tty: options.tty });
  } finally {
    stopHeartbeat();
  }
}

/** Shows what planning chose (notes) and what it had to change (warnings). */
export function reportChoices(progress: Pick<Progress, 'note' | 'warn'>, built: { readonly notes: readonly string[]; readonly warnings: readonly string[] }): void {
  for (const note of built.notes) progress.note(note);
  for (const warning of built.warnings) progress.warn(warning);
}
