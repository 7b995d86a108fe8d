// Pure: the pod spec/status facts the `ns` findings need.
import type { V1Pod } from '@kubernetes/client-node';
import { listContainers } from '../kube/choose-container.js';
import type { PodFacts } from './ns-findings.js';

export function buildPodFacts(pod: V1Pod): PodFacts {
  const spec = pod.spec;
  return {
    shareProcessNamespace: spec?.shareProcessNamespace ?? false,
    hostNetwork: spec?.hostNetwork ?? false,
    hostPID: spec?.hostPID ?? false,
    hostIPC: spec?.hostIPC ?? false,
    // App containers only: init containers have finished by design.
    containers: listContainers(pod)
      .filter((c) => c.kind === 'container')
      .map((c) => (c.reason === undefined || c.state === 'running' ? { name: c.name, state: c.state } : { name: c.name, state: c.state, reason: c.reason })),
  };
}
