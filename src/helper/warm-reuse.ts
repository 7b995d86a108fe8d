// The effects around warm helpers (the rules are in warm.ts, pure): find one to
// reuse, and leave one warm after a session.
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../kube/client.js';
import { request } from '../kube/request.js';
import { deleteHelper, helperRefOf } from './lifecycle.js';
import { ANNOTATION_PREFIX, HELPER_SELECTOR } from './spec.js';
import { sweepable } from './sweep.js';
import { chooseWarmHelper, formatWarmUntil, warmProof, WARM_PROOF_ANNOTATION, WARM_UNTIL_ANNOTATION, type WarmWanted } from './warm.js';
import { readWarmKey } from './warm-key.js';

/** The helper namespace's nsdebug pods: one list, sent beside the target's lookup. */
export function listNamespaceHelpers(kube: Kube, namespace: string): Promise<V1Pod[]> {
  return request(kube, { verb: 'list', resource: 'pods', namespace }, () => kube.core.listNamespacedPod({ namespace, labelSelector: HELPER_SELECTOR })).then((list) => list.items);
}

/**
 * The warm helper to reuse among `pods`, if any. The user's warm helpers past
 * their time and finished helpers are deleted beside the session (not awaited;
 * failures ignored, as the sweep's).
 */
export function findWarmHelper(kube: Kube, pods: readonly V1Pod[], wanted: Omit<WarmWanted, 'key' | 'now'>): V1Pod | undefined {
  const choice = chooseWarmHelper(pods, { ...wanted, key: readWarmKey(), now: new Date() });
  for (const pod of [...choice.expired, ...sweepable(pods, wanted.user, '')]) void deleteHelper(kube, helperRefOf(pod)).catch(() => {});
  return choice.reuse;
}

/**
 * A reused helper is in a session, no longer warm: its mark goes (beside the
 * session's exec, not before it), so `list` and `clean` see a running session.
 */
export async function unmarkWarm(kube: Kube, pod: V1Pod): Promise<void> {
  const { uid, namespace, name } = pod.metadata ?? {};
  if (!uid || !namespace || !name) return;
  const body = [
    { op: 'test', path: '/metadata/uid', value: uid },
    { op: 'remove', path: annotationPath(WARM_UNTIL_ANNOTATION) },
    { op: 'remove', path: annotationPath(WARM_PROOF_ANNOTATION) },
  ];
  await request(kube, { verb: 'patch', resource: 'pods', namespace, name }, () => kube.core.patchNamespacedPod({ name, namespace, body })).catch(() => {});
}

function annotationPath(key: string): string {
  return `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * Leaves `pod` warm for `seconds`: its deadline, the user's proof of it, and the
 * last target, in one JSON patch guarded by the pod's uid (a pod recreated under
 * the name is not marked). False when the patch failed.
 */
export async function markWarm(kube: Kube, pod: V1Pod, target: string, user: string, seconds: number): Promise<boolean> {
  const uid = pod.metadata?.uid;
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  if (!uid || !namespace || !name) return false;
  try {
    const until = formatWarmUntil(new Date(Date.now() + seconds * 1000));
    // The key may be unreadable (a read-only home): then the helper is not left warm.
    const proof = warmProof(readWarmKey(), uid, user, until);
    const body = [
      { op: 'test', path: '/metadata/uid', value: uid },
      { op: 'add', path: annotationPath(WARM_UNTIL_ANNOTATION), value: until },
      { op: 'add', path: annotationPath(WARM_PROOF_ANNOTATION), value: proof },
      { op: 'add', path: annotationPath(`${ANNOTATION_PREFIX}/target`), value: target },
    ];
    await request(kube, { verb: 'patch', resource: 'pods', namespace, name }, () => kube.core.patchNamespacedPod({ name, namespace, body }));
    return true;
  } catch {
    return false;
  }
}
