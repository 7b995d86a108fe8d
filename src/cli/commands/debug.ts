import type { V1Pod } from '@kubernetes/client-node';
import { buildHeartbeatArgv, buildSessionArgv } from '../../agent/argv.js';
import { createKube, type Kube } from '../../kube/client.js';
import { resolveEnterablePod, resolveNode } from '../../kube/resolve-target.js';
import { assertLinuxNode } from '../../kube/pod-checks.js';
import { planPodSession, type SessionPlan, type SessionWish } from '../../kube/session-plan.js';
import { formatTargetRef } from '../../kube/target-ref.js';
import { ExitGuard } from '../../helper/exit-guard.js';
import type { Progress } from '../../base/progress.js';
import { checkHelperAccess, withHelper, type HelperRequest } from '../../helper/run-helper.js';
import { HELPER_CONTAINER } from '../../helper/spec.js';
import { runExec } from '../../session/exec.js';
import { runAgentCapture } from '../../session/run-agent.js';
import type { HelperRef } from '../../helper/lifecycle.js';
import { CancelledError, UserError } from '../../base/errors.js';
import { validateDebugOptions, type DebugOptions, type RawDebugArgs } from '../debug-options.js';
import { createCliProgress } from '../progress.js';

/** `kubectl nsdebug TARGET`: complete (read the world), validate (pure), run (talk to the API). */
export async function runDebugCommand(raw: RawDebugArgs): Promise<number> {
  const options = validateDebugOptions(raw, process.env, { stdinIsTTY: Boolean(process.stdin.isTTY), stdoutIsTTY: Boolean(process.stdout.isTTY) });
  const progress = createCliProgress(options.quiet);
  const guard = new ExitGuard().install();
  // A signal mid-session must not leave the user's terminal raw.
  guard.add(() => {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
  });
  try {
    const kube = await createKube(options.kube);
    if (options.interactivePicker && pickerHasQuestions(options)) {
      const { runPickedSession } = await import('./debug-picked.js');
      return await runPickedSession(kube, options, progress, guard);
    }
    // The permission checks don't depend on the target: run them while it resolves.
    const access = checkHelperAccess(kube, options.helperNamespace ?? kube.namespace);
    return await runSession(kube, options, await resolveSession(kube, options, progress), progress, guard, access);
  } catch (error) {
    await progress.fail(error instanceof CancelledError ? 'cancelled' : 'failed');
    throw error;
  } finally {
    guard.uninstall();
  }
}

/**
 * The picker asks only what the flags left open: the pod (no TARGET, or a
 * workload), the container (several, no -c/--sandbox), and, for an interactive
 * shell (no COMMAND), the namespaces and tools (no --ns/--tools).
 */
export function pickerHasQuestions(options: DebugOptions): boolean {
  if (options.target?.kind === 'node') return false;
  if (!options.target || options.target.kind !== 'pod') return true;
  if (options.container === undefined && !options.sandbox) return true;
  return options.command.length === 0 && !options.namespacesExplicit && !options.toolsExplicit;
}

/** Everything a session needs once the target is known. */
export interface ResolvedSession {
  readonly nodeName: string;
  readonly namespace: string;
  readonly targetAnnotation: string;
  readonly targetName: string;
  readonly label: string;
  readonly plan: SessionPlan | { readonly kind: 'node' };
}

async function resolveSession(kube: Kube, options: DebugOptions, progress: Progress): Promise<ResolvedSession> {
  const target = options.target;
  if (!target) {
    throw new UserError('no TARGET given', { hint: 'name one, for example kubectl nsdebug pod/web (the picker needs stdin and stdout to be a terminal)' });
  }
  if (target.kind === 'node') {
    const node = await resolveNode(kube, target.name);
    assertLinuxNode(node);
    return { nodeName: target.name, namespace: kube.namespace, targetAnnotation: formatTargetRef(target), targetName: target.name, label: formatTargetRef(target), plan: { kind: 'node' } };
  }
  const pod = await resolveEnterablePod(kube, target, progress);
  return buildPodSession(pod, options, progress);
}

/** Plans the session in a resolved pod and says what it chose and why. */
export function buildPodSession(pod: V1Pod, wish: SessionWish, progress: Pick<Progress, 'note' | 'warn'>): ResolvedSession {
  const planned = planPodSession(pod, wish);
  for (const note of planned.notes) progress.note(note);
  for (const warning of planned.warnings) progress.warn(warning);
  const podName = pod.metadata!.name!;
  const namespace = pod.metadata!.namespace!;
  const where = planned.plan.kind === 'container' ? planned.plan.container.name : 'sandbox';
  return { nodeName: pod.spec!.nodeName!, namespace, targetAnnotation: `pod/${namespace}/${podName}`, targetName: podName, label: `pod/${podName}:${where}`, plan: planned.plan };
}

/** The agent invocation for the planned session. */
export function buildSessionCommand(session: ResolvedSession, command: readonly string[], tools: DebugOptions['tools']): string[] {
  const { plan } = session;
  if (plan.kind === 'node') {
    return buildSessionArgv({ target: { kind: 'node' }, namespaces: [], tools: tools === 'host' ? 'host' : 'helper', label: session.label, command });
  }
  return buildSessionArgv({
    podUid: plan.pod.metadata!.uid!,
    target: plan.kind === 'container' ? { kind: 'container', containerId: plan.containerId } : { kind: 'sandbox', exclude: [...plan.excludeIds] },
    namespaces: [...plan.namespaces],
    tools: plan.tools,
    label: session.label,
    command,
  });
}

export function buildHelperRequest(kube: Kube, options: DebugOptions, session: Pick<ResolvedSession, 'namespace' | 'nodeName' | 'targetAnnotation' | 'targetName'> & { nodeMode: boolean }, progress: Progress, guard: ExitGuard): HelperRequest {
  return {
    kube,
    options,
    namespace: options.helperNamespace ?? session.namespace,
    nodeName: session.nodeName,
    target: session.targetAnnotation,
    targetName: session.targetName,
    nodeMode: session.nodeMode,
    progress,
    guard,
  };
}

/** Runs the session's command in a running helper and returns its exit status. */
export async function enterSession(kube: Kube, options: DebugOptions, session: ResolvedSession, helper: HelperRef, progress: Progress): Promise<number> {
  const command = buildSessionCommand(session, options.command, session.plan.kind === 'node' ? options.tools : session.plan.tools);
  progress.phase('entering', session.plan.kind === 'node' ? session.label : `${session.label} (${session.plan.namespaces.join(',')})`);
  await progress.done();
  const stopHeartbeat = startHeartbeat(kube, helper, options.idleSeconds);
  try {
    return await runExec(kube, { namespace: helper.namespace, pod: helper.name, container: HELPER_CONTAINER, command, stdin: options.stdin, tty: options.tty });
  } finally {
    stopHeartbeat();
  }
}

/**
 * While a session runs, tells the agent every third of its idle timeout that we
 * are alive. A client killed outright stops beating, and the agent ends the
 * session and the helper (the runtime keeps exec'd processes after the stream dies).
 */
function startHeartbeat(kube: Kube, helper: HelperRef, idleSeconds: number): () => void {
  const timer = setInterval(() => {
    runAgentCapture(kube, helper, buildHeartbeatArgv()).catch(() => {});
  }, Math.max(1, Math.floor(idleSeconds / 3)) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

async function runSession(kube: Kube, options: DebugOptions, session: ResolvedSession, progress: Progress, guard: ExitGuard, access: Promise<string>): Promise<number> {
  const request = buildHelperRequest(kube, options, { ...session, nodeMode: session.plan.kind === 'node' }, progress, guard);
  return withHelper(request, (helper) => enterSession(kube, options, session, helper, progress), access);
}
