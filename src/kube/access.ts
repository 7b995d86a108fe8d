import { UserError } from '../base/errors.js';
import type { Kube } from './client.js';

export interface AccessCheck {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
}

/** Every verb a session uses on its helper, in the helper's namespace: a missing one fails before anything is created. */
export function buildHelperAccessChecks(namespace: string): AccessCheck[] {
  return [
    { verb: 'create', resource: 'pods', namespace },
    { verb: 'get', resource: 'pods', namespace },
    { verb: 'watch', resource: 'pods', namespace },
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    // The client's exec is a WebSocket upgrade, a GET: the API server authorizes it as "get" pods/exec.
    { verb: 'get', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'delete', resource: 'pods', namespace },
  ];
}

/** The record of a session (an Event on its target): without it the session goes on, with a warning. */
export function buildRecordAccessCheck(namespace: string): AccessCheck {
  return { verb: 'create', resource: 'events', namespace };
}

export function describeCheck(check: AccessCheck): string {
  return `"${check.verb}" on "${check.resource}${check.subresource ? `/${check.subresource}` : ''}" in namespace "${check.namespace}"`;
}

/**
 * Asks the API server (SelfSubjectAccessReview) before anything is created, so a
 * missing permission is reported up front and not after a helper half-exists.
 * When the review API itself is unavailable the real requests will tell.
 */
export async function assertAllowed(kube: Kube, checks: readonly AccessCheck[]): Promise<void> {
  const answers = await Promise.all(checks.map(async (check) => ({ check, allowed: await isAllowed(kube, check) })));
  const denied = answers.filter((a) => !a.allowed).map((a) => a.check);
  if (denied.length > 0) {
    throw new UserError(`RBAC forbids ${denied.map(describeCheck).join(', ')}, which the helper pod needs`, {
      hint: 'ask a cluster admin for these verbs, use --helper-namespace for a namespace where you have them, or --context/--as for another account',
    });
  }
}

/** One SelfSubjectAccessReview; when the review API itself is unavailable, the real request will tell. */
export async function isAllowed(kube: Kube, check: AccessCheck): Promise<boolean> {
  try {
    const review = await kube.authz.createSelfSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb: check.verb, resource: check.resource, subresource: check.subresource, namespace: check.namespace } },
      },
    });
    return review.status?.allowed !== false;
  } catch {
    return true;
  }
}

/** Who the API server says we are (for the helper's created-by annotation); falls back to the kubeconfig user. */
export async function resolveUserName(kube: Kube): Promise<string> {
  try {
    const review = await kube.authn.createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    const name = review.status?.userInfo?.username;
    if (name) return name;
  } catch {
    // Older servers or restricted users: the kubeconfig name is the best we know.
  }
  return kube.config.getCurrentUser()?.name ?? 'unknown';
}
