// What refused a request, read from the API server's message. The shapes are the
// API server's own (captured from a 1.34 server; see test/unit/admission.test.ts):
// each admission step words its refusal differently, and each needs other advice.

export type Refusal =
  | { readonly kind: 'rbac' }
  | { readonly kind: 'pod-security'; readonly level: string }
  /** A quota counts a resource the pod does not set: "must specify limits.cpu for: nsdebug". */
  | { readonly kind: 'quota-unset'; readonly quota: string; readonly resources: readonly string[] }
  | { readonly kind: 'quota-exceeded'; readonly quota: string; readonly detail: string }
  | { readonly kind: 'limit-range'; readonly detail: string; readonly resources: readonly string[] }
  | { readonly kind: 'policy'; readonly policy: string; readonly binding: string; readonly detail: string }
  | { readonly kind: 'webhook'; readonly webhook: string; readonly detail: string; readonly unreachable: boolean };

/** The part after `pods "x" is forbidden: `, the admission step's own words. */
function reasonPart(message: string): string {
  return message.replace(/^[a-z.]+ (?:"[^"]*" )?is forbidden: /, '').replace(/^Internal error occurred: /, '');
}

/** Pure: which admission step (or RBAC) refused, from the server's message; undefined when it is none we know. */
export function classifyRefusal(message: string): Refusal | undefined {
  if (/ cannot [a-z]+ resource "[^"]+"/.test(message)) return { kind: 'rbac' };
  const podSecurity = /violates PodSecurity "([^"]+)"/.exec(message);
  if (podSecurity) return { kind: 'pod-security', level: podSecurity[1]! };
  const reason = reasonPart(message);
  const unset = /failed quota: ([^:]+): must specify (.+)$/.exec(reason);
  if (unset) {
    const resources = unset[2]!.split(';').map((part) => part.trim().replace(/ for: .*$/, '')).filter(Boolean);
    return { kind: 'quota-unset', quota: unset[1]!, resources };
  }
  const exceeded = /exceeded quota: ([^,]+), (.+)$/.exec(reason);
  if (exceeded) return { kind: 'quota-exceeded', quota: exceeded[1]!, detail: exceeded[2]! };
  const policy = /ValidatingAdmissionPolicy '([^']+)' with binding '([^']+)' denied request: (.*)$/.exec(reason);
  if (policy) return { kind: 'policy', policy: policy[1]!, binding: policy[2]!, detail: policy[3]! };
  const denied = /admission webhook "([^"]+)" denied the request:? ?(.*)$/.exec(reason);
  if (denied) return { kind: 'webhook', webhook: denied[1]!, detail: denied[2] || 'no reason given', unreachable: false };
  const failedCall = /failed calling webhook "([^"]+)": (.*)$/.exec(reason);
  if (failedCall) return { kind: 'webhook', webhook: failedCall[1]!, detail: failedCall[2]!, unreachable: true };
  // The LimitRanger's words, one or several in [brackets]: "minimum cpu usage per Container is 50m, but request is 10m",
  // "maximum memory usage per Pod is 16Mi, but limit is 64Mi", "cpu max limit to request ratio per Container is 2, ...".
  const limitRange = /(?:minimum|maximum) ([a-z0-9./-]+) usage per (?:Container|Pod|PersistentVolumeClaim) is|([a-z0-9./-]+) max limit to request ratio per (?:Container|Pod) is/g;
  const resources = [...reason.matchAll(limitRange)].map((match) => match[1] ?? match[2]!);
  if (resources.length > 0) return { kind: 'limit-range', detail: reason.replace(/^\[|\]$/g, ''), resources: [...new Set(resources)] };
  return undefined;
}
