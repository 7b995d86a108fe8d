// The interactive path: the Ink picker asks what the flags left open while the
// helper is already being acquired on the chosen pod's node, so the session
// opens as soon as the user confirms. Loaded only when the picker is needed.
import type { V1Pod } from '@kubernetes/client-node';
import { CancelledError } from '../../base/errors.js';
import { enteredNamespaces, mountNeedsTargetTools, withMountRule, type NamespaceName } from '../../base/rules.js';
import { DEFAULT_MAX_PARALLEL, assertImageRunsTargetTools, catchToolsFor } from '../../base/flags.js';
import { acquireHelper, buildPodHelperRequest, settleRelease, type HelperHandle } from '../../helper/handle.js';
import { helperServes, podTargetCapabilities, sessionHelperUse, type HelperUse } from '../../helper/privileges.js';
import { buildPodNsArgv } from '../../inspect/inspect-target.js';
import { parseNsDump } from '../../inspect/ns-parse.js';
import type { Kube } from '../../kube/client.js';
import { chooseContainer, DEFAULT_CONTAINER_ANNOTATION, listContainers } from '../../kube/choose-container.js';
import { assertLinuxNode, assertPodEnterable } from '../../kube/pod-checks.js';
import { request } from '../../kube/request.js';
import { resolveNodeOptional, resolvePod, resolveWorkloadPods } from '../../kube/resolve-target.js';
import { formatTargetRef, type TargetRef, type WorkloadKind } from '../../kube/target-ref.js';
import { sandboxNamespaces } from '../../session/plan-target.js';
import { buildPodSession } from '../../session/session.js';
import type { ContainerChoice, ContainerStep, NamespaceStep, PickedAllPods, PickerPlan, PickerResult, PodRef, PodRow, PodStep } from '../../ui/types.js';
import type { DebugOptions } from '../debug-options.js';
import { buildExtraArgs, type PickerEchoFlags } from '../picker-echo.js';
import { enterSession, reportChoices } from '../enter-session.js';
import { buildContainerRow, buildPodRow } from '../pod-rows.js';
import type { CommandContext } from '../runner.js';

const podKey = (ref: PodRef) => `${ref.namespace}/${ref.name}`;
/** Pods in the picker's first list request (more than a screen holds), and in each later one. */
const POD_FIRST_PAGE = 100;
const POD_PAGE = 1000;

async function buildPodStep(kube: Kube, options: DebugOptions, target: TargetRef | undefined): Promise<PodStep> {
  if (target?.kind === 'pod') return { known: { namespace: kube.namespace, name: target.name } };
  if (target) {
    const pods = await resolveWorkloadPods(kube, target as TargetRef & { kind: WorkloadKind }, kube.namespace);
    if (pods.length === 1) return { known: { namespace: kube.namespace, name: pods[0]!.metadata!.name! } };
    return {
      choose: pods.map((pod) => buildPodRow(pod)),
      title: `Pods of ${formatTargetRef(target)} in namespace ${kube.namespace}`,
      // -i/-t can't go with --all-pods (one stdin can't feed every pod): no row then.
      ...(options.stdin || options.tty
        ? {}
        : {
            allPods: {
              target: formatTargetRef(target),
              namespace: kube.namespace,
              ...(options.sandbox ? { sandbox: true } : options.container !== undefined ? { container: options.container } : {}),
            },
          }),
    };
  }
  const all = options.allNamespaces;
  // A first page the screen fills at once, then the rest in bigger pages (`continue`):
  // with thousands of pods, one list would decode all of them before the first row shows.
  const list = (limit: number, from?: string) =>
    all
      ? request(kube, { verb: 'list', resource: 'pods' }, () => kube.core.listPodForAllNamespaces({ limit, ...(from ? { _continue: from } : {}) }))
      : request(kube, { verb: 'list', resource: 'pods', namespace: kube.namespace }, () => kube.core.listNamespacedPod({ namespace: kube.namespace, limit, ...(from ? { _continue: from } : {}) }));
  const first = list(POD_FIRST_PAGE);
  async function* more(): AsyncGenerator<PodRow[]> {
    for (let page = await first; page.metadata?._continue; ) {
      page = await list(POD_PAGE, page.metadata._continue);
      yield page.items.map((pod) => buildPodRow(pod));
    }
  }
  return {
    choose: first.then((page) => page.items.map((pod) => buildPodRow(pod))),
    more: more(),
    title: all ? 'Pods in all namespaces' : `Pods in namespace ${kube.namespace}`,
    showNamespace: all,
  };
}

/**
 * Pure: the container question for a resolved pod, or its answer when the flags
 * or the pod leave no choice. A container chosen without asking (the only one,
 * or the annotation's) that isn't running is still shown: the screen offers to
 * catch its next start or to enter the sandbox.
 */
export function buildContainerStep(pod: V1Pod, options: Pick<DebugOptions, 'container' | 'sandbox'>): ContainerStep {
  const sandbox = sandboxNamespaces(pod);
  if (options.sandbox) return { known: { kind: 'sandbox' }, sandboxNamespaces: sandbox };
  if (options.container !== undefined) {
    return { known: { kind: 'container', name: chooseContainer(pod, options.container).container.name }, sandboxNamespaces: sandbox };
  }
  const containers = listContainers(pod).filter((c) => c.kind === 'container' || c.state === 'running');
  const rows = containers.map((c) => buildContainerRow(c, pod));
  // The default-container annotation answers the question, as for kubectl exec/logs/attach.
  const implied = annotatedContainer(pod) ?? (containers.length === 1 ? containers[0]!.name : undefined);
  if (implied !== undefined) {
    if (rows.find((r) => r.name === implied && r.kind === 'container')?.catchable !== true) return { known: { kind: 'container', name: implied }, sandboxNamespaces: sandbox };
    return { choose: rows, sandboxNamespaces: sandbox, initial: implied };
  }
  return { choose: rows, sandboxNamespaces: sandbox, initial: chooseContainer(pod, undefined).container.name };
}

/** The app container the default-container annotation names, if it exists. */
function annotatedContainer(pod: V1Pod): string | undefined {
  const named = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  return named && listContainers(pod).some((c) => c.kind === 'container' && c.name === named) ? named : undefined;
}

/** Which namespaces the chosen target shares with the node, read from the real inodes by the running helper. */
async function readSharedWithNode(pod: V1Pod, helper: HelperHandle, container: ContainerChoice): Promise<NamespaceName[]> {
  const entries = parseNsDump(await helper.capture(buildPodNsArgv(pod)));
  const node = entries.find((e) => e.kind === 'node');
  const wanted = container.kind === 'container' ? entries.find((e) => e.kind === 'container' && e.name === container.name) : entries.find((e) => e.kind === 'sandbox');
  if (!node || !wanted) return [];
  return (Object.keys(wanted.namespaces) as NamespaceName[]).filter((type) => wanted.namespaces[type] !== undefined && wanted.namespaces[type] === node.namespaces[type]);
}

export async function runPickedSession(ctx: CommandContext, options: DebugOptions, echo: PickerEchoFlags = {}): Promise<number> {
  const { kube, progress } = ctx;
  const { runPicker } = await import('../../ui/render.js');
  const podStep = await buildPodStep(kube, options, options.target);
  const abort = new AbortController();
  let failure: unknown;
  const failWith = (error: unknown) => {
    failure ??= error;
    abort.abort();
  };
  const resolved = new Map<string, Promise<V1Pod>>();
  let helper: Promise<HelperHandle> | undefined;
  let helperUse: HelperUse | undefined;

  const resolveChosenPod = (ref: PodRef) => {
    let pending = resolved.get(podKey(ref));
    if (!pending) {
      pending = (async () => {
        const pod = await resolvePod(kube, ref.namespace, ref.name);
        assertPodEnterable(pod);
        assertLinuxNode(await resolveNodeOptional(kube, pod.spec!.nodeName!), pod);
        return pod;
      })();
      resolved.set(podKey(ref), pending);
    }
    return pending;
  };
  const running = async () => {
    const handle = await helper!;
    await handle.ready();
    return handle;
  };

  // The helper is acquired as soon as the node is known, with the privileges of the
  // flags' tools (target tools: what any of the pod's containers holds); a failure ends the picker at once.
  const onPodChosen = (ref: PodRef) => {
    helper = resolveChosenPod(ref).then((pod) => {
      helperUse = options.tools === 'target' ? { job: 'session', tools: 'target', target: podTargetCapabilities(pod) } : { job: 'session', tools: options.tools };
      return acquireHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, helperUse));
    });
    running().catch(failWith);
  };

  const namespacesKnown = options.command.length > 0 || options.namespacesExplicit || options.toolsExplicit;
  const namespaces: NamespaceStep = namespacesKnown
    ? { known: { namespaces: options.namespaces, tools: options.tools } }
    : {
        initial: { namespaces: options.namespaces, tools: options.tools },
        sharedWithNode: async (ref, container) => readSharedWithNode(await resolveChosenPod(ref), await running(), container),
      };
  // A caught container: target tools unless --tools said otherwise, as --catch on the command line.
  const catchTools = options.toolsExplicit ? options.tools : catchToolsFor(options.image);
  const catchNamespaces: NamespaceStep = namespacesKnown
    ? { known: { namespaces: withMountRule(options.namespaces, catchTools), tools: catchTools } }
    : { initial: { namespaces: options.namespaces, tools: catchTools } };
  const plan: PickerPlan = {
    pod: podStep,
    container: async (ref) => buildContainerStep(await resolveChosenPod(ref), options),
    namespaces,
    catchNamespaces,
    onPodChosen,
    // -n is echoed as given: the pod is compared with the namespace kubectl would use without it.
    currentNamespace: kube.contextNamespace,
    extraArgs: buildExtraArgs(echo),
    command: options.command,
  };

  // What the picker chose: one pod's session, a catch, or the fan-out over all pods.
  // Choices made in the picker may need another kind of helper (helper/privileges.ts): replace it.
  const serving = async (pod: V1Pod, needed: HelperUse) => {
    if (helperUse && !helperServes(helperUse, needed)) {
      const early = await helper!;
      helperUse = needed;
      helper = Promise.resolve(acquireHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, needed)));
      await early.release();
    }
    return running();
  };
  const runChoice = async (result: PickerResult | PickedAllPods): Promise<number> => {
    // Picked target tools (preset a, or a catch) meet the image rule before anything runs.
    if (result.tools === 'target') assertImageRunsTargetTools(options.image);
    if ('allPods' in result) return runPickedFanout(ctx, options, result);
    const pod = await resolveChosenPod(result.pod);
    if (result.container.kind === 'catch') {
      const { buildCatchTarget, runCatchInHelper } = await import('./debug-catch.js');
      const target = buildCatchTarget(pod, result.container.name, progress);
      const caught = { ...options, namespaces: result.namespaces, tools: result.tools, catch: { killOnExit: false, printEnv: false } };
      const needed: HelperUse = { job: 'catch', tools: result.tools, target: podTargetCapabilities(pod, result.container.name) };
      return runCatchInHelper(ctx, caught, target, await serving(pod, needed));
    }
    const built = buildPodSession(pod, buildPickedWish(result, (message) => progress.warn(message)));
    // The annotation chose without asking: say so, and how to choose another.
    if (options.container === undefined && !options.sandbox && result.container.kind === 'container' && annotatedContainer(pod) === result.container.name) {
      const note = chooseContainer(pod, undefined).note;
      if (note) progress.note(note);
    }
    reportChoices(progress, built);
    return enterSession({ ...options, tools: result.tools }, built.session, await serving(pod, sessionHelperUse(built.session)), progress, kube);
  };

  progress.hold();
  let outcome: { ok: true; value: number } | { ok: false; error: unknown } | undefined;
  try {
    const result = await runPicker(plan, { signal: abort.signal });
    if (failure) throw failure;
    if (result === 'cancelled') throw new CancelledError();
    progress.release();
    outcome = { ok: true, value: await runChoice(result) };
  } catch (error) {
    outcome = { ok: false, error };
  } finally {
    progress.release();
  }
  // Cancelled, failed or done: the helper goes, even if it was still being created.
  const handle = await helper?.catch(() => undefined);
  return settleRelease(ctx, handle, outcome);
}

/** The "all pods" row: the fan-out over the workload's pods, with the flags' namespaces and COMMAND. */
async function runPickedFanout(ctx: CommandContext, options: DebugOptions, picked: PickedAllPods): Promise<number> {
  const target = options.target;
  if (target === undefined) throw new Error('bug: the "all pods" row needs a workload target');
  const { runFanoutSession } = await import('./fanout.js');
  return runFanoutSession(ctx, {
    ...options,
    namespaces: picked.namespaces,
    tools: picked.tools,
    fanout: { source: { kind: 'target', target }, maxParallel: DEFAULT_MAX_PARALLEL },
  });
}

/** The picker's answers as a session wish; a fallback to the sandbox keeps the container the user meant. */
function buildPickedWish(result: PickerResult, warn: (message: string) => void) {
  const fellBack = result.container.kind === 'sandbox' ? result.container.instead : undefined;
  if (mountNeedsTargetTools(result.namespaces, result.tools)) {
    warn('mnt left out: it needs the target\'s own tools (the files stay readable under $NSDEBUG_TARGET_ROOT)');
  }
  return {
    container: result.container.kind === 'container' ? result.container.name : fellBack?.name,
    sandbox: result.container.kind === 'sandbox' && !fellBack,
    namespaces: enteredNamespaces(result.namespaces, result.tools),
    namespacesExplicit: true,
    tools: result.tools,
  };
}
