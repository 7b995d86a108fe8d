import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';

/** Pure checks that a pod can be entered at all, each failing with what to do next. */
export function assertPodEnterable(pod: V1Pod): void {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new UserError(`pod "${name}" has finished (${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''}); its containers and sandbox are gone`, {
      hint: `nothing is left to enter: debug a running pod, or recreate this one (kubectl get pod ${name} -n ${namespace})`,
    });
  }
  if (!pod.spec?.nodeName) {
    const unschedulable = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    throw new UserError(`pod "${name}" is not scheduled to a node yet${unschedulable?.message ? ` (${unschedulable.message})` : ''}`, {
      hint: `wait until it is (kubectl get pod ${name} -n ${namespace} -w) and retry`,
    });
  }
  if (pod.metadata?.deletionTimestamp) {
    throw new UserError(`pod "${name}" is being deleted`, { hint: 'pick another pod of the workload' });
  }
}

/** The helper and nsenter are Linux-only. */
export function assertLinuxNode(node: V1Node | undefined, pod?: V1Pod): void {
  // A node that never reported (no kubelet yet) has an empty operatingSystem: fall back to its label.
  const os = node?.status?.nodeInfo?.operatingSystem || node?.metadata?.labels?.['kubernetes.io/os'] || pod?.spec?.os?.name;
  if (os && os.toLowerCase() === 'windows') {
    const name = node?.metadata?.name ?? pod?.spec?.nodeName ?? '';
    throw new UserError(`node "${name}" runs Windows, which has no Linux namespaces to enter`, {
      hint: 'nsdebug works on Linux nodes only; for Windows pods use kubectl exec or kubectl debug',
    });
  }
}
