import { UserError } from '../base/errors.js';
import type { Kube } from './client.js';

export interface AccessCheck {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace: string;
}

/** What a session needs in the helper's namespace. */
export function buildHelperAccessChecks(namespace: string): AccessCheck[] {
  return [
    { verb: 'create', resource: 'pods', namespace },
    { verb: 'create', resource: 'pods', subresource: 'exec', namespace },
    { verb: 'delete', resource: 'pods', namespace },
  ];
}

function describeCheck(check: AccessCheck): string {
  return `"${check.verb}" on "${check.resource}${check.subresource ? `/${check.subresource}` : ''}" in namespace "${check.namespace}"`;
}

/**
 * Asks the API server (SelfSubjectAccessReview) before anything is created, so a
 * missing permission is reported up front and not after a helper half-exists.
 * When the review API itself is unavailable the real requests will tell.
 */
export async function assertAllowed(kube: Kube, checks: readonly AccessCheck[]): Promise<void> {
  const answers = await Promise.all(
    checks.map(async (check) => {
      try {
        const review = await kube.authz.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { verb: check.verb, resource: check.resource, subresource: check.subresource, namespace: check.namespace } },
          },
        });
        return { check, allowed: review.status?.allowed !== false };
      } catch {
        return { check, allowed: true };
      }
    }),
  );
  const denied = answers.filter((a) => !a.allowed).map((a) => a.check);
  if (denied.length > 0) {
    throw new UserError(`RBAC forbids ${denied.map(describeCheck).join(', ')}, which the helper pod needs`, {
      hint: 'ask a cluster admin for these verbs, use --helper-namespace for a namespace where you have them, or --context/--as for another account',
    });
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
