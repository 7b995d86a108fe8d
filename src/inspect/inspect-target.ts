// The pod behind an inspect TARGET (ns, stats).
import type { V1Pod } from '@kubernetes/client-node';
import { buildNsArgv } from '../agent/argv.js';
import { listContainers } from '../kube/choose-container.js';
import { UserError } from '../base/errors.js';
import type { Progress } from '../base/progress.js';
import type { Kube } from '../kube/client.js';
import { resolveEnterablePod } from '../kube/resolve-target.js';
import { formatTargetRef, type TargetRef } from '../kube/target-ref.js';

/** The pod behind TARGET, checked to be on a Linux node and not finished. */
export async function resolveInspectPod(kube: Kube, target: TargetRef, progress: Progress): Promise<V1Pod> {
  if (target.kind === 'node') {
    throw new UserError(`${formatTargetRef(target)} is a node; ns and stats inspect a pod`, { hint: 'name a pod or a workload, for example pod/web' });
  }
  return resolveEnterablePod(kube, target, progress);
}


/** The agent's `ns` invocation for a pod: its running app containers by name; running init and ephemeral ones are not the sandbox either. */
export function buildPodNsArgv(pod: V1Pod): string[] {
  const containers = listContainers(pod);
  return buildNsArgv({
    podUid: pod.metadata!.uid!,
    containers: containers.flatMap((c) => (c.kind === 'container' && c.containerId ? [{ name: c.name, containerId: c.containerId }] : [])),
    exclude: containers.flatMap((c) => (c.kind !== 'container' && c.containerId ? [c.containerId] : [])),
  });
}
