import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.js';
import { isNotFound } from '../kube/api-errors.js';
import { request } from '../kube/request.js';

export interface HelperRef {
  readonly name: string;
  readonly namespace: string;
}

export function helperRefOf(pod: V1Pod): HelperRef {
  return { name: pod.metadata!.name!, namespace: pod.metadata!.namespace! };
}

export async function createHelper(kube: Kube, pod: V1Pod): Promise<V1Pod> {
  const namespace = pod.metadata!.namespace!;
  return request(kube, { verb: 'create', resource: 'pods', namespace }, () => kube.core.createNamespacedPod({ namespace, body: pod }));
}

/** Deletes at once (grace 0); a helper that is already gone is fine. */
export async function deleteHelper(kube: Kube, helper: HelperRef): Promise<void> {
  try {
    await request(kube, { verb: 'delete', resource: 'pods', namespace: helper.namespace, name: helper.name }, () =>
      kube.core.deleteNamespacedPod({ name: helper.name, namespace: helper.namespace, gracePeriodSeconds: 0 }),
    );
  } catch (error) {
    if (!isNotFound((error as { cause?: unknown }).cause ?? error)) throw error;
  }
}
