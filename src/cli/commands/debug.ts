import type { V1Pod } from '@kubernetes/client-node';
import { buildSessionArgv } from '../../agent/argv.js';
import { createKube, type Kube } from '../../kube/client.js';
import { assertLinuxNode, assertPodEnterable } from '../../kube/pod-checks.js';
import { chooseWorkloadPod, resolveNode, resolveNodeOptional, resolvePod, resolveWorkloadPods } from '../../kube/resolve-target.js';
import { planPodSession, type SessionPlan } from '../../kube/session-plan.js';
import { formatTargetRef, type TargetRef, type WorkloadKind } from '../../kube/target-ref.js';
import { ExitGuard } from '../../helper/exit-guard.js';
import { createPlainProgress, type Progress } from '../../helper/progress.js';
import { withHelper } from '../../helper/run-helper.js';
import { HELPER_CONTAINER } from '../../helper/spec.js';
import { runExec } from '../../session/exec.js';
import { UserError } from '../errors.js';
import { validateDebugOptions, type DebugOptions, type RawDebugArgs } from '../debug-options.js';

/** `kubectl nsdebug TARGET`: complete (read the world), validate (pure), run (talk to the API). */
export async function runDebugCommand(raw: RawDebugArgs): Promise<number> {
  const options = validateDebugOptions(raw, process.env, { stdinIsTTY: Boolean(process.stdin.isTTY), stdoutIsTTY: Boolean(process.stdout.isTTY) });
  const progress = createPlainProgress({ write: (line) => process.stderr.write(line), quiet: options.quiet });
  const guard = new ExitGuard().install();
  // A signal mid-session must not leave the user's terminal raw.
  guard.add(() => {
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
  });
  try {
    return await runDebug(options, progress, guard);
  } finally {
    guard.uninstall();
  }
}

interface ResolvedSession {
  readonly nodeName: string;
  readonly namespace: string;
  readonly targetAnnotation: string;
  readonly targetName: string;
  readonly label: string;
  readonly plan: SessionPlan | { kind: 'node' };
}

async function resolveSession(kube: Kube, options: DebugOptions, progress: Progress): Promise<ResolvedSession> {
  const target = options.target;
  if (!target) {
    throw new UserError('no TARGET given', { hint: 'name one, for example kubectl nsdebug pod/web (the picker needs stdin and stdout to be a terminal)' });
  }
  progress.phase('resolving', formatTargetRef(target));
  if (target.kind === 'node') {
    const node = await resolveNode(kube, target.name);
    assertLinuxNode(node);
    return { nodeName: target.name, namespace: kube.namespace, targetAnnotation: `node/${target.name}`, targetName: target.name, label: `node/${target.name}`, plan: { kind: 'node' } };
  }
  const pod = await resolveTargetPod(kube, target, progress);
  assertPodEnterable(pod);
  const nodeName = pod.spec!.nodeName!;
  assertLinuxNode(await resolveNodeOptional(kube, nodeName), pod);
  const planned = planPodSession(pod, options);
  for (const note of planned.notes) progress.note(note);
  for (const warning of planned.warnings) progress.warn(warning);
  const podName = pod.metadata!.name!;
  const namespace = pod.metadata!.namespace!;
  const where = planned.plan.kind === 'container' ? planned.plan.container.name : 'sandbox';
  return { nodeName, namespace, targetAnnotation: `pod/${namespace}/${podName}`, targetName: podName, label: `pod/${podName}:${where}`, plan: planned.plan };
}

async function resolveTargetPod(kube: Kube, target: TargetRef, progress: Progress): Promise<V1Pod> {
  if (target.kind === 'pod') return resolvePod(kube, kube.namespace, target.name);
  const pods = await resolveWorkloadPods(kube, target as TargetRef & { kind: WorkloadKind }, kube.namespace);
  const { pod, note } = chooseWorkloadPod(target, pods);
  progress.note(note);
  return pod;
}

/** The agent invocation for the planned session. */
export function buildSessionCommand(session: ResolvedSession, options: DebugOptions): string[] {
  const { plan } = session;
  if (plan.kind === 'node') {
    return buildSessionArgv({ target: { kind: 'node' }, namespaces: [], tools: options.tools === 'host' ? 'host' : 'helper', label: session.label, command: options.command });
  }
  const podUid = plan.pod.metadata!.uid!;
  return buildSessionArgv({
    podUid,
    target: plan.kind === 'container' ? { kind: 'container', containerId: plan.containerId } : { kind: 'sandbox', exclude: [...plan.excludeIds] },
    namespaces: [...plan.namespaces],
    tools: plan.tools,
    label: session.label,
    command: options.command,
  });
}

async function runDebug(options: DebugOptions, progress: Progress, guard: ExitGuard): Promise<number> {
  const kube = await createKube(options.kube);
  const session = await resolveSession(kube, options, progress);
  const command = buildSessionCommand(session, options);
  const helperNamespace = options.helperNamespace ?? session.namespace;
  return withHelper(
    { kube, options, namespace: helperNamespace, nodeName: session.nodeName, target: session.targetAnnotation, targetName: session.targetName, nodeMode: session.plan.kind === 'node', progress, guard },
    async (helper) => {
      progress.phase('entering namespaces', session.plan.kind === 'node' ? session.label : `${session.label} (${session.plan.namespaces.join(',')})`);
      progress.done();
      return runExec(kube, { namespace: helper.namespace, pod: helper.name, container: HELPER_CONTAINER, command, stdin: options.stdin, tty: options.tty });
    },
  );
}
