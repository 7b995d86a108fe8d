// The last steps of every session, plain or picked: run the agent's session mode
// in the acquired helper with the user's stdio, beating while it lasts.
import type { Progress } from '../base/progress.js';
import type { HelperHandle } from '../helper/handle.js';
import { openSessionRecord, type RecordTarget } from '../helper/session-record.js';
import type { Kube } from '../kube/client.js';
import { targetName } from '../session/plan-target.js';
import { buildSessionCommand, describeEntering, sessionTools, type ResolvedSession } from '../session/session.js';
import type { DebugOptions } from './debug-options.js';

/** Runs the session's command in the running helper and returns its exit status. */
export async function enterSession(options: Pick<DebugOptions, 'command' | 'tools' | 'stdin' | 'tty'>, session: ResolvedSession, helper: HelperHandle, progress: Progress, kube: Kube): Promise<number> {
  const argv = buildSessionCommand(session, options.command, options.tools);
  progress.phase('entering', describeEntering(session));
  // Who entered what: an Event on the target, sent beside the session's own exec.
  const record = await openSessionRecord(kube, progress, helper, {
    mode: 'session',
    target: recordTarget(session),
    namespaces: session.plan.kind === 'node' ? [] : session.plan.namespaces,
    tools: sessionTools(session, options.tools),
    command: options.command,
  });
  await progress.done();
  // A client killed outright stops beating, and the agent ends the session and
  // the helper (the runtime keeps exec'd processes after the stream dies).
  const stopHeartbeat = helper.heartbeat();
  let status: number | string = 'unknown (the session was cut short)';
  try {
    status = await helper.runAgent(argv, { stdin: options.stdin, tty: options.tty });
    return status;
  } finally {
    stopHeartbeat();
    await record.close(status);
  }
}

/** The object the session's record is about: the pod (with its uid, as kubectl describe matches it) or the node. */
export function recordTarget(session: ResolvedSession): RecordTarget {
  const { plan } = session;
  if (plan.kind === 'node') return { kind: 'node', name: session.targetName };
  const meta = plan.pod.metadata!;
  return { kind: 'pod', namespace: meta.namespace!, name: meta.name!, uid: meta.uid!, container: targetName(plan) };
}

/** Shows what planning chose (notes) and what it had to change (warnings). */
export function reportChoices(progress: Pick<Progress, 'note' | 'warn'>, built: { readonly notes: readonly string[]; readonly warnings: readonly string[] }): void {
  for (const note of built.notes) progress.note(note);
  for (const warning of built.warnings) progress.warn(warning);
}
