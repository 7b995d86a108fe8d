import type { V1Pod } from '@kubernetes/client-node';
import agentScript from '../agent/nsdebug-agent.sh';
import { buildServeArgv } from '../agent/argv.js';
import type { HelperOptions } from '../cli/debug-options.js';
import type { Kube } from '../kube/client.js';
import { assertAllowed, buildHelperAccessChecks, resolveUserName } from '../kube/access.js';
import { createHelper, deleteHelper, helperRefOf, type HelperRef } from './lifecycle.js';
import type { ExitGuard } from './exit-guard.js';
import type { Progress } from './progress.js';
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

/** Checks permissions, builds and creates the helper. The caller owns its deletion from here on. */
export async function startHelper(req: HelperRequest): Promise<V1Pod> {
  const [createdBy] = await Promise.all([resolveUserName(req.kube), assertAllowed(req.kube, buildHelperAccessChecks(req.namespace))]);
  const pod = buildHelperPod({
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
  req.progress.phase('creating', `helper ${pod.metadata!.name} in namespace ${req.namespace} on node ${req.nodeName}`);
  return createHelper(req.kube, pod);
}

/**
 * One helper for the duration of `use`: created, awaited until running, and
 * deleted on every way out (return, throw, SIGINT/SIGTERM/SIGHUP through the guard).
 * The kubelet's activeDeadlineSeconds and the agent's idle watchdog cover SIGKILL.
 */
export async function withHelper<T>(req: HelperRequest, use: (helper: HelperRef) => Promise<T>): Promise<T> {
  const created = await startHelper(req);
  const helper = helperRefOf(created);
  const remove = () => (req.options.keep ? undefined : deleteHelper(req.kube, helper));
  const unregister = req.guard.add(remove);
  try {
    await waitHelperRunning(req.kube, created, { timeoutMs: req.options.timeoutSeconds * 1000, progress: req.progress });
    return await use(helper);
  } finally {
    unregister();
    if (req.options.keep) req.progress.note(`kept helper pod ${helper.name} (namespace ${helper.namespace}); remove it with kubectl nsdebug clean --all -n ${helper.namespace}`);
    else await remove();
  }
}
