import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerRow, PodRow } from '../ui/types.js';
import { formatAge } from '../base/duration.js';
import type { ContainerInfo } from '../kube/choose-container.js';
import { crashLoopOf, startsAgain } from '../kube/crash-backoff.js';

/** The STATUS column as kubectl computes it: the most telling container reason, else the phase. */
export function podStatusText(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const reason = status.state?.waiting?.reason ?? (status.state?.terminated && status.state.terminated.exitCode !== 0 ? status.state.terminated.reason : undefined);
    if (reason && reason !== 'ContainerCreating' && reason !== 'PodInitializing') return reason;
  }
  return pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
}

/** One row of the pod screen, like a line of `kubectl get pods`. */
export function buildPodRow(pod: V1Pod, now: Date = new Date()): PodRow {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    ready: `${statuses.filter((s) => s.ready).length}/${total}`,
    status: podStatusText(pod),
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    node: pod.spec?.nodeName ?? '',
    age: formatAge(pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp) : undefined, now),
  };
}

export function buildContainerRow(container: ContainerInfo, pod: V1Pod): ContainerRow {
  const app = container.kind === 'container';
  const status = app ? pod.status?.containerStatuses?.find((s) => s.name === container.name) : undefined;
  const loop = crashLoopOf(status, new Date());
  return {
    name: container.name,
    image: container.image,
    // A container without status yet is about to be created: waiting, as kubectl shows it.
    state: container.state === 'unknown' ? 'waiting' : container.state,
    ...(container.reason ? { reason: container.reason } : {}),
    restarts: container.restarts,
    kind: container.kind,
    ...(loop.lastExitCode !== undefined ? { lastExit: { code: loop.lastExitCode, ...(loop.lastReason ? { reason: loop.lastReason } : {}) } } : {}),
    // Only an app container can be caught (debug-catch refuses init and ephemeral ones).
    ...(app && container.state !== 'running' ? { catchable: startsAgain(pod, status) } : {}),
  };
}
