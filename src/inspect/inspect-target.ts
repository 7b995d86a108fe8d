// The pod behind an inspect TARGET (ns, stats).
import type { V1Pod } from '@kubernetes/client-node';
import { UserError } from '../cli/errors.js';
import type { Progress } from '../helper/progress.js';
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

