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
 * Answers every check before anything is created, in as few requests as it can:
 * one SelfSubjectRulesReview per namespace grants what its rules plainly allow
 * (all of it, for a user who may do everything), and only a check those rules
 * do not grant gets a SelfSubjectAccessReview of its own. A rules review is never
 * taken as a refusal: its answer may be incomplete (webhook authorizers), and the
 * API documents access reviews as the way to decide.
 */
export async function reviewAccess(kube: Kube, checks: readonly AccessCheck[]): Promise<boolean[]> {
  const namespaces = [...new Set(checks.map((check) => check.namespace))];
  const rules = new Map(await Promise.all(namespaces.map(async (namespace) => [namespace, await reviewRules(kube, namespace)] as const)));
  return Promise.all(checks.map((check) => (rules.get(check.namespace)?.some((rule) => ruleGrants(rule, check)) ? true : isAllowed(kube, check))));
}

/** One SelfSubjectAccessReview; when the review API itself is unavailable, the real request will tell. */
async function isAllowed(kube: Kube, check: AccessCheck): Promise<boolean> {
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

/** Throws the one line that names every refused verb the helper needs. */
export function assertAllowed(checks: readonly AccessCheck[], answers: readonly boolean[]): void {
  const denied = checks.filter((_, i) => !answers[i]);
  if (denied.length > 0) {
    throw new UserError(`RBAC forbids ${denied.map(describeCheck).join(', ')}, which the helper pod needs`, {
      hint: 'ask a cluster admin for these verbs, use --helper-namespace for a namespace where you have them, or --context/--as for another account',
    });
  }
}

/** The resource rules the API server lists for us in a namespace; none when it cannot say. */
async function reviewRules(kube: Kube, namespace: string): Promise<readonly ResourceRule[]> {
  try {
    const review = await kube.authz.createSelfSubjectRulesReview({
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
    });
    return review.status?.resourceRules ?? [];
  } catch {
    return [];
  }
}

interface ResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** Pure: whether one RBAC-style rule grants a check on the core API group (a rule bound to names grants no check here). */
export function ruleGrants(rule: ResourceRule, check: AccessCheck): boolean {
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const resources = check.subresource ? [resource, `${check.resource}/*`, `*/${check.subresource}`, '*'] : [resource, '*'];
  return rule.verbs.some((verb) => verb === '*' || verb === check.verb)
    && (rule.apiGroups ?? []).some((group) => group === '' || group === '*')
    && (rule.resources ?? []).some((r) => resources.includes(r))
    && (rule.resourceNames ?? []).length === 0;
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
