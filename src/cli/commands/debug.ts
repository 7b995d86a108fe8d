import type { Progress } from '../../base/progress.js';
import { UserError } from '../../base/errors.js';
import type { Kube } from '../../kube/client.js';
import { resolveEnterablePod, resolveNode } from '../../kube/resolve-target.js';
import { assertLinuxNode } from '../../kube/pod-checks.js';
import { buildRequestedPod, checkHelperAccess, eventNamespaceOf, withHelper, type HelperAccess, type HelperContext, type HelperRequest } from '../../helper/handle.js';
import { sessionHelperUse } from '../../helper/privileges.js';
import { findWarmHelper, listNamespaceHelpers } from '../../helper/warm-reuse.js';
import type { V1Pod } from '@kubernetes/client-node';
import { buildNodeSession, buildPodSession, type ResolvedSession } from '../../session/session.js';
import { validateDebugOptions, type DebugOptions, type RawDebugArgs } from '../debug-options.js';
import { WarmHelperBusy, enterSession, reportChoices } from '../enter-session.js';
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
    // --keep-warm: the helper namespace's helpers are listed while the target resolves.
    const helpers = options.keepWarmSeconds === undefined ? undefined : listNamespaceHelpers(ctx.kube, options.helperNamespace ?? ctx.kube.namespace);
    helpers?.catch(() => {}); // awaited below
    const session = await resolveSession(ctx.kube, options, ctx.progress);
    const request = {
      namespace: options.helperNamespace ?? session.namespace,
      nodeName: session.nodeName,
      target: session.targetAnnotation,
      targetName: session.targetName,
      use: sessionHelperUse(session),
      sessionFollows: true,
    };
    const use = (helper: Parameters<typeof enterSession>[2]) => enterSession(options, session, helper, ctx.progress, ctx.kube);
    const warm = helpers && (await chooseWarm(ctx, options, request, access, helpers));
    if (warm) {
      try {
        return await withHelper(ctx, options, request, use, access, warm);
      } catch (error) {
        // Another session holds it (one session at a time): nothing ran, so a new helper is safe.
        if (!(error instanceof WarmHelperBusy)) throw error;
        ctx.progress.note(`${error.message}; creating a helper of this session's own`);
      }
    }
    return withHelper(ctx, options, request, use, access);
  });
}

/** The warm helper this session may reuse (warm.ts has the rules); none when the lookup fails. */
async function chooseWarm(ctx: HelperContext, options: DebugOptions, request: HelperRequest, access: Promise<HelperAccess>, helpers: Promise<V1Pod[]>): Promise<V1Pod | undefined> {
  const { user } = await access; // a refused access check fails the command here, as it would on create
  try {
    const wanted = buildRequestedPod(options, request, { name: 'warm', namespace: request.namespace }, user).spec!;
    return findWarmHelper(ctx.kube, await helpers, { user, nodeName: options.testHelperNode ?? request.nodeName, spec: wanted });
  } catch (error) {
    ctx.progress.note(`no warm helper reused (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
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
