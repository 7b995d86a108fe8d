// The interactive path: the Ink picker asks what the flags left open while the
// helper is already being created on the chosen pod's node, so the session
// opens as soon as the user confirms. Loaded only when the picker is needed.
import type { V1Pod } from '@kubernetes/client-node';
import type { ExitGuard } from '../../helper/exit-guard.js';
import type { HelperRef } from '../../helper/lifecycle.js';
import type { Progress } from '../../base/progress.js';
import { buildPodHelperRequest, prepareHelper, startHelper, type StartedHelper } from '../../helper/run-helper.js';
import { waitHelperRunning } from '../../helper/wait-running.js';
import { runAgentCapture } from '../../session/run-agent.js';
import { buildPodNsArgv } from '../../inspect/inspect-target.js';
import { parseNsDump } from '../../inspect/ns-parse.js';
import type { Kube } from '../../kube/client.js';
import { chooseContainer, listContainers } from '../../kube/choose-container.js';
import { assertLinuxNode, assertPodEnterable } from '../../kube/pod-checks.js';
import { buildContainerRow, buildPodRow } from '../../kube/pod-rows.js';
import { request } from '../../kube/request.js';
import { resolveNodeOptional, resolvePod, resolveWorkloadPods } from '../../kube/resolve-target.js';
import { sandboxNamespaces, type NamespaceName } from '../../kube/session-plan.js';
import { formatTargetRef, type TargetRef, type WorkloadKind } from '../../kube/target-ref.js';
import type { ContainerChoice, ContainerStep, NamespaceStep, PickerPlan, PodRef, PodStep } from '../../ui/types.js';
import { CancelledError } from '../../base/errors.js';
import type { DebugOptions } from '../debug-options.js';
import { buildPodSession, enterSession } from './debug.js';

const podKey = (ref: PodRef) => `${ref.namespace}/${ref.name}`;

async function buildPodStep(kube: Kube, options: DebugOptions, target: TargetRef | undefined): Promise<PodStep> {
  if (target?.kind === 'pod') return { known: { namespace: kube.namespace, name: target.name } };
  if (target) {
    const pods = await resolveWorkloadPods(kube, target as TargetRef & { kind: WorkloadKind }, kube.namespace);
    if (pods.length === 1) return { known: { namespace: kube.namespace, name: pods[0]!.metadata!.name! } };
    return { choose: pods.map((pod) => buildPodRow(pod)), title: `Pods of ${formatTargetRef(target)} in namespace ${kube.namespace}` };
  }
  const all = options.allNamespaces;
  const listing = all
    ? request(kube, { verb: 'list', resource: 'pods' }, () => kube.core.listPodForAllNamespaces({}))
    : request(kube, { verb: 'list', resource: 'pods', namespace: kube.namespace }, () => kube.core.listNamespacedPod({ namespace: kube.namespace }));
  return {
    choose: listing.then((list) => list.items.map((pod) => buildPodRow(pod))),
    title: all ? 'Pods in all namespaces' : `Pods in namespace ${kube.namespace}`,
    showNamespace: all,
  };
}

/** Pure: the container question for a resolved pod, or its answer when the flags or the pod leave no choice. */
export function buildContainerStep(pod: V1Pod, options: Pick<DebugOptions, 'container' | 'sandbox'>): ContainerStep {
  const sandbox = sandboxNamespaces(pod);
  if (options.sandbox) return { known: { kind: 'sandbox' }, sandboxNamespaces: sandbox };
  if (options.container !== undefined) {
    return { known: { kind: 'container', name: chooseContainer(pod, options.container).container.name }, sandboxNamespaces: sandbox };
  }
  const containers = listContainers(pod).filter((c) => c.kind === 'container' || c.state === 'running');
  if (containers.length === 1) return { known: { kind: 'container', name: containers[0]!.name }, sandboxNamespaces: sandbox };
  return { choose: containers.map(buildContainerRow), sandboxNamespaces: sandbox, initial: chooseContainer(pod, undefined).container.name };
}

/** Which namespaces the chosen target shares with the node, read from the real inodes by the running helper. */
async function readSharedWithNode(kube: Kube, pod: V1Pod, helper: HelperRef, container: ContainerChoice): Promise<NamespaceName[]> {
  const entries = parseNsDump(await runAgentCapture(kube, helper, buildPodNsArgv(pod)));
  const node = entries.find((e) => e.kind === 'node');
  const wanted = container.kind === 'container' && !('instead' in container && container.instead) ? entries.find((e) => e.kind === 'container' && e.name === container.name) : entries.find((e) => e.kind === 'sandbox');
  if (!node || !wanted) return [];
  return (Object.keys(wanted.namespaces) as NamespaceName[]).filter((type) => wanted.namespaces[type] !== undefined && wanted.namespaces[type] === node.namespaces[type]);
}

export async function runPickedSession(kube: Kube, options: DebugOptions, progress: Progress, guard: ExitGuard): Promise<number> {
  const { runPicker } = await import('../../ui/render.js');
  const podStep = await buildPodStep(kube, options, options.target);
  const abort = new AbortController();
  // Ends the helper's start-up watches when the picker is cancelled or fails, or the process would stay alive.
  const stopWaiting = new AbortController();
  let failure: unknown;
  const failWith = (error: unknown) => {
    failure ??= error;
    abort.abort();
  };
  const resolved = new Map<string, Promise<V1Pod>>();
  let helper: Promise<StartedHelper> | undefined;
  let running: Promise<HelperRef> | undefined;

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

  // The helper starts as soon as the node is known; a failure ends the picker at once.
  const onPodChosen = (ref: PodRef) => {
    helper = resolveChosenPod(ref).then(async (pod) => {
      const req = buildPodHelperRequest(kube, options, pod, progress, guard);
      return startHelper(req, await prepareHelper(req));
    });
    running = helper.then(async (started) => {
      await waitHelperRunning(kube, await started.created, { timeoutMs: options.timeoutSeconds * 1000, progress, signal: stopWaiting.signal });
      return started.ref;
    });
    running.catch(failWith);
  };

  const namespacesKnown = options.command.length > 0 || options.namespacesExplicit || options.toolsExplicit;
  const namespaces: NamespaceStep = namespacesKnown
    ? { known: { namespaces: options.namespaces, tools: options.tools } }
    : {
        initial: { namespaces: options.namespaces, tools: options.tools },
        sharedWithNode: async (ref, container) => readSharedWithNode(kube, await resolveChosenPod(ref), await running!, container),
      };
  const plan: PickerPlan = {
    pod: podStep,
    container: async (ref) => buildContainerStep(await resolveChosenPod(ref), options),
    namespaces,
    onPodChosen,
    currentNamespace: kube.namespace,
    command: options.command,
  };

  progress.hold();
  try {
    const result = await runPicker(plan, { signal: abort.signal });
    if (failure) throw failure;
    if (result === 'cancelled') throw new CancelledError();
    progress.release();
    const pod = await resolveChosenPod(result.pod);
    const fellBack = result.container.kind === 'sandbox' ? result.container.instead : undefined;
    const chosenTools = result.tools;
    let chosenNamespaces = [...result.namespaces];
    if (chosenTools !== 'target' && chosenNamespaces.includes('mnt')) {
      chosenNamespaces = chosenNamespaces.filter((ns) => ns !== 'mnt');
      progress.warn('mnt left out: it needs the target\'s own tools (the files stay readable under $NSDEBUG_TARGET_ROOT)');
    }
    const session = buildPodSession(pod, {
      container: result.container.kind === 'container' ? result.container.name : fellBack?.name,
      sandbox: result.container.kind === 'sandbox' && !fellBack,
      namespaces: chosenNamespaces,
      namespacesExplicit: true,
      tools: chosenTools,
    }, progress);
    const ref = await running!;
    return await enterSession(kube, { ...options, tools: chosenTools }, session, ref, progress);
  } finally {
    stopWaiting.abort();
    progress.release();
    // Cancelled, failed or done: the helper goes, even if it was still being created.
    const started = await helper?.catch(() => undefined);
    await started?.remove();
  }
}
