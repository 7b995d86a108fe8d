import type { V1Pod } from '@kubernetes/client-node';
import agentScript from '../agent/nsdebug-agent.sh';
import { buildServeArgv } from '../agent/argv.js';
import type { HelperOptions } from '../cli/debug-options.js';
import type { Kube } from '../kube/client.js';
import { assertAllowed, buildHelperAccessChecks, resolveUserName } from '../kube/access.js';
import { createHelper, deleteHelper, helperRefOf, type HelperRef } from './lifecycle.js';
import type { ExitGuard } from './exit-guard.js';
import type { Progress } from '../base/progress.js';
import { buildHelperName, buildHelperPod, randomSuffix } from './spec.js';
import { waitHelperRunning } from './wait-running.js';

export interface HelperRequest {
  readonly kube: Kube;
  readonly options: HelperOptions;
  readonly namespace: string;
  readonly nodeName: string;
  /** "pod/NS/NAME" or "node/NAME", for the annotation. */
  readonly target: string;
  /** Short name that goes into the helper's name. */
  readonly targetName: string;
  readonly nodeMode: boolean;
  readonly progress: Progress;
  readonly guard: ExitGuard;
}

/** The helper request for a session or inspection of `pod`: on its node, in --helper-namespace or the pod's namespace. */
export function buildPodHelperRequest(kube: Kube, options: HelperOptions, pod: V1Pod, progress: Progress, guard: ExitGuard): HelperRequest {
  const namespace = pod.metadata!.namespace!;
  return {
    kube,
    options,
    namespace: options.helperNamespace ?? namespace,
    nodeName: pod.spec!.nodeName!,
    target: `pod/${namespace}/${pod.metadata!.name!}`,
    targetName: pod.metadata!.name!,
    nodeMode: false,
    progress,
    guard,
  };
}

/**
 * Checks the permissions a helper needs in `namespace` and resolves with who we
 * are (for the created-by annotation). Independent of the target, so callers
 * start it while they still resolve the target.
 */
export function checkHelperAccess(kube: Kube, namespace: string): Promise<string> {
  const check = Promise.all([resolveUserName(kube), assertAllowed(kube, buildHelperAccessChecks(namespace))]).then(([user]) => user);
  check.catch(() => {}); // awaited later; not an unhandled rejection meanwhile
  return check;
}

/** Checks permissions and builds the helper pod (nothing is created yet). */
export async function prepareHelper(req: HelperRequest, access: Promise<string> = checkHelperAccess(req.kube, req.namespace)): Promise<V1Pod> {
  const createdBy = await access;
  return buildHelperPod({
    name: buildHelperName(req.targetName, randomSuffix()),
    namespace: req.namespace,
    nodeName: req.nodeName,
    image: req.options.image,
    imagePullPolicy: req.options.imagePullPolicy,
    ttlSeconds: req.options.ttlSeconds,
    idleSeconds: req.options.idleSeconds,
    idleStartSeconds: req.options.idleStartSeconds,
    target: req.target,
    createdBy,
    agentScript,
    nodeMode: req.nodeMode,
    serveArgv: buildServeArgv({ idleSeconds: req.options.idleSeconds, idleStartSeconds: req.options.idleStartSeconds }),
  });
}

/** A helper being created: deletion waits for an in-flight create, so a signal at any moment leaves nothing behind. */
export interface StartedHelper {
  readonly ref: HelperRef;
  readonly created: Promise<V1Pod>;
  /** Deletes the helper once (idempotent); a no-op with --keep or when creation failed. */
  readonly remove: () => Promise<void>;
}

/** Creates the helper with its cleanup registered on the guard before the request leaves. */
export function startHelper(req: HelperRequest, pod: V1Pod): StartedHelper {
  const ref = helperRefOf(pod);
  req.progress.phase('creating', `helper ${ref.name} in namespace ${ref.namespace} on node ${req.nodeName}`);
  let removal: Promise<void> | undefined;
  let unregister = () => {};
  const created = createHelper(req.kube, pod);
  const remove = () => {
    unregister();
    removal ??= created.then(
      () => (req.options.keep ? undefined : deleteHelper(req.kube, ref)),
      () => undefined,
    );
    return removal;
  };
  unregister = (() => {
    const off = req.guard.add(remove);
    return () => void off();
  })();
  return { ref, created, remove };
}

/**
 * One helper for the duration of `use`: created, awaited until running, and
 * deleted on every way out (return, throw, SIGINT/SIGTERM/SIGHUP through the guard).
 * The kubelet's activeDeadlineSeconds and the agent's idle watchdog cover SIGKILL.
 */
export async function withHelper<T>(req: HelperRequest, use: (helper: HelperRef) => Promise<T>, access?: Promise<string>): Promise<T> {
  const helper = startHelper(req, await prepareHelper(req, access));
  try {
    const created = await helper.created;
    await waitHelperRunning(req.kube, created, { timeoutMs: req.options.timeoutSeconds * 1000, progress: req.progress });
    return await use(helper.ref);
  } finally {
    if (req.options.keep) req.progress.note(`kept helper pod ${helper.ref.name} (namespace ${helper.ref.namespace}); remove it with kubectl nsdebug clean --all -n ${helper.ref.namespace}`);
    await helper.remove();
  }
}
