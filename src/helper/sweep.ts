// Finished helpers of a client that was killed (SIGKILL, a lost laptop) stay as
// Succeeded/Failed pod objects: nothing nsdebug controls is left to delete them.
// The next command of the same user removes them in the namespace it touches,
// beside its own work and never in its way (failures are ignored: a sweep is a
// courtesy, `kubectl nsdebug clean` is the tool).
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.js';
import { request } from '../kube/request.js';
import { isHelperFinished } from './helper-list.js';
import { deleteHelper, helperRefOf } from './lifecycle.js';
import { ANNOTATION_PREFIX, HELPER_SELECTOR } from './spec.js';

/** Pure: the helpers a sweep by `user` removes: theirs, finished, not `keep`. */
export function sweepable(pods: readonly V1Pod[], user: string, keep: string): V1Pod[] {
  return pods.filter(
    (pod) => pod.metadata?.name !== keep && !pod.metadata?.deletionTimestamp && pod.metadata?.annotations?.[`${ANNOTATION_PREFIX}/created-by`] === user && isHelperFinished(pod),
  );
}

/** Deletes `user`'s finished helpers in `namespace`; resolves when done, never rejects. */
export async function sweepFinishedHelpers(kube: Kube, namespace: string, user: string, keep: string): Promise<number> {
  try {
    const list = await request(kube, { verb: 'list', resource: 'pods', namespace }, () => kube.core.listNamespacedPod({ namespace, labelSelector: HELPER_SELECTOR }));
    const doomed = sweepable(list.items, user, keep);
    await Promise.all(doomed.map((pod) => deleteHelper(kube, helperRefOf(pod)).catch(() => {})));
    return doomed.length;
  } catch {
    return 0;
  }
}
