// What to do when the helper image cannot be pulled: a registry that wants
// credentials gets the pull-secret advice (naming the secrets the helper had).
import type { V1Pod } from '@kubernetes/client-node';

// containerd and CRI-O's words for a registry that refused who we are (or that we are nobody).
const AUTH_REFUSED = /\b401\b|\b403 Forbidden\b|unauthori[sz]ed|authentication required|authorization failed|no basic auth credentials|denied: requested access|pull access denied/i;

/** Pure: the hint for a failure of the helper `pod` to start, from the kubelet's message. */
export function helperStartHint(message: string, pod: V1Pod): string {
  const name = pod.metadata!.name!;
  const namespace = pod.metadata!.namespace!;
  const describe = `see kubectl describe pod ${name} -n ${namespace}`;
  if (!/image/i.test(message)) return describe;
  if (AUTH_REFUSED.test(message)) {
    const secrets = (pod.spec?.imagePullSecrets ?? []).map((secret) => secret.name).filter(Boolean);
    return secrets.length === 0
      ? `check --image; if the registry wants credentials, pass a docker-registry secret of namespace ${namespace} with --image-pull-secret NAME (or NSDEBUG_IMAGE_PULL_SECRETS)`
      : `the registry refused the credentials of --image-pull-secret ${secrets.join(', ')}: check that they exist in namespace ${namespace} and hold a login for this registry`;
  }
  return `check --image and --image-pull-policy; ${describe}`;
}
