// The last steps of every session, plain or picked: run the agent's session mode
// in the acquired helper with the user's stdio, beating while it lasts.
import { randomBytes } from 'node:crypto';
import { MARKED_EXIT, buildStatusArgv } from '../agent/argv.js';
import { UserError } from '../base/errors.js';
import type { Progress } from '../base/progress.js';
import type { HelperHandle } from '../helper/handle.js';
import { openSessionRecord, type RecordTarget } from '../helper/session-record.js';
import type { Kube } from '../kube/client.js';
import { targetName } from '../session/plan-target.js';
import { buildSessionCommand, describeEntering, sessionTools, type ResolvedSession } from '../session/session.js';
import type { DebugOptions } from './debug-options.js';

/** A warm helper another session holds (or whose warm time just ended): nothing ran; take a new helper. */
export class WarmHelperBusy extends Error {
  constructor(name: string) {
    super(`the warm helper ${name} is busy with another session`);
    this.name = 'WarmHelperBusy';
  }
}

/** Runs the session's command in the running helper and returns its exit status. */
export async function enterSession(options: Pick<DebugOptions, 'command' | 'tools' | 'stdin' | 'tty' | 'keepWarmSeconds'>, session: ResolvedSession, helper: HelperHandle, progress: Progress, kube: Kube): Promise<number> {
  const sessionId = randomSessionId();
  // Marked exits: a 0 comes back as MARKED_EXIT.ok, so it needs no second exec to confirm.
  const keepWarm = options.keepWarmSeconds === undefined ? {} : { keepWarmSeconds: options.keepWarmSeconds };
  const argv = buildSessionCommand(session, options.command, options.tools, { sessionId, markedExit: true, ...keepWarm });
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
  // The helper beats from Running until release: a client killed outright stops
  // beating, and the agent ends the session and the helper (the runtime keeps
  // exec'd processes after the stream dies).
  let status: number | string = 'unknown (the session was cut short)';
  try {
    const code = await helper.runAgent(argv, { stdin: options.stdin, tty: options.tty });
    if (code === MARKED_EXIT.busy && options.keepWarmSeconds !== undefined) {
      status = 'not started (the warm helper was busy)';
      helper.releaseAs('untouched');
      throw new WarmHelperBusy(helper.ref.name);
    }
    // The stream's own 0 is a broken stream's (the agent's 0 is marked); `ask` is a command's 217-219.
    status = code === MARKED_EXIT.ok ? 0 : code === 0 || code === MARKED_EXIT.ask ? await confirmStatus(helper, sessionId) : code;
    helper.releaseAs('warm');
    return status;
  } finally {
    // The record's close and the helper's release go out together (settleRelease
    // awaits the same release and reports its failure).
    helper.release().catch(() => {});
    await record.close(status);
  }
}

/**
 * A stream broken by a kubelet or runtime restart ends with Success: the
 * status is what the agent recorded (one more exec), never the stream's 0.
 */
async function confirmStatus(helper: HelperHandle, sessionId: string): Promise<number> {
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
