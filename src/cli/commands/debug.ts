import type { Progress } from '../../base/progress.js';
import { UserError } from '../../base/errors.js';
import type { Kube } from '../../kube/client.js';
import { resolveEnterablePod, resolveNode } from '../../kube/resolve-target.js';
import { assertLinuxNode } from '../../kube/pod-checks.js';
import { checkHelperAccess, eventNamespaceOf, withHelper } from '../../helper/handle.js';
import { sessionHelperUse } from '../../helper/privileges.js';
import { buildNodeSession, buildPodSession, type ResolvedSession } from '../../session/session.js';
import { validateDebugOptions, type DebugOptions, type RawDebugArgs } from '../debug-options.js';
import { enterSession, reportChoices } from '../enter-session.js';
import { runCommand } from '../runner.js';

/** `kubectl nsdebug TARGET`: complete (read the world), validate (pure), run (talk to the API). */
export async function runDebugCommand(raw: RawDebugArgs): Promise<number> {
  const options = validateDebugOptions(raw, process.env, { stdinIsTTY: Boolean(process.stdin.isTTY), stdoutIsTTY: Boolean(process.stdout.isTTY) });
  return runCommand(options, async (ctx) => {
    // A signal mid-session must not leave the user's terminal raw.
    ctx.guard.add(() => {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
    });
    if (options.fanout) return (await import('./fanout.js')).runFanoutSession(ctx, { ...options, fanout: options.fanout });
    if (options.interactivePicker && pickerHasQuestions(options)) {
      const { runPickedSession } = await import('./debug-picked.js');
      return runPickedSession(ctx, options, raw);
    }
    // The permission checks don't depend on the target: run them while it resolves.
    const access = checkHelperAccess(ctx.kube, options.helperNamespace ?? ctx.kube.namespace, options.target?.kind === 'node' ? eventNamespaceOf(`node/${options.target.name}`) : ctx.kube.namespace);
    if (options.catch) {
      const { runCaughtSession } = await import('./debug-catch.js');
      return runCaughtSession(ctx, { ...options, catch: options.catch }, access);
    }
    const session = await resolveSession(ctx.kube, options, ctx.progress);
    const request = {
      namespace: options.helperNamespace ?? session.namespace,
      nodeName: session.nodeName,
      target: session.targetAnnotation,
      targetName: session.targetName,
      use: sessionHelperUse(session),
    };
    return withHelper(ctx, options, request, (helper) => enterSession(options, session, helper, ctx.progress, ctx.kube), access);
  });
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

/** Resolve and plan: the target's node or pod, then what the session enters. */
async function resolveSession(kube: Kube, options: DebugOptions, progress: Progress): Promise<ResolvedSession> {
  const target = options.target;
  if (!target) {
    throw new UserError('no TARGET given', { hint: 'name one, for example kubectl nsdebug pod/web (the picker needs stdin and stdout to be a terminal)' });
  }
  if (target.kind === 'node') {
    assertLinuxNode(await resolveNode(kube, target.name));
    return buildNodeSession({ kind: 'node', name: target.name }, kube.namespace);
  }
  const built = buildPodSession(await resolveEnterablePod(kube, target, progress), options);
  reportChoices(progress, built);
  return built.session;
}
