import { UserError, oneLine } from '../base/errors.js';
import { classifyRefusal, type Refusal } from './admission.js';

/** What the plugin was doing when a request failed, to name it in the error. */
export interface ApiAction {
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

interface StatusBody {
  message?: string;
  reason?: string;
}

export function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

function statusBodyOf(error: unknown): StatusBody {
  const body = (error as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body as StatusBody | undefined) ?? {};
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

function networkCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) return code;
    const message = (current as { message?: unknown }).message;
    const match = typeof message === 'string' ? /\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN)\b/.exec(message) : null;
    if (match) return match[1];
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Whether a PodSecurity admission rejection is the reason, from its well-known message. */
export function isPodSecurityRejection(message: string): boolean {
  return /violates PodSecurity/i.test(message);
}

/** An admission step (not RBAC) refused the request: what refused is kept for the caller (the helper's retry with resources). */
export class AdmissionError extends UserError {
  readonly refusal: Refusal;
  constructor(message: string, refusal: Refusal, options: { hint: string; cause: unknown }) {
    super(message, { ...options, summary: `refused by ${refuserOf(refusal)}` });
    this.name = 'AdmissionError';
    this.refusal = refusal;
  }
}

/** Who refused, by kind and name, for the progress line. */
function refuserOf(refusal: Refusal): string {
  switch (refusal.kind) {
    case 'rbac': return 'RBAC';
    case 'pod-security': return `PodSecurity (${refusal.level})`;
    case 'quota-unset':
    case 'quota-exceeded': return `ResourceQuota "${refusal.quota}"`;
    case 'limit-range': return 'a LimitRange';
    case 'policy': return `ValidatingAdmissionPolicy "${refusal.policy}"`;
    case 'webhook': return `admission webhook "${refusal.webhook}"`;
  }
}

export function refusalOf(error: unknown): Refusal | undefined {
  return error instanceof AdmissionError ? error.refusal : undefined;
}

/** One line per admission step: what refused, by name, and the way out that fits it. */
function describeRefusal(refusal: Exclude<Refusal, { kind: 'rbac' }>, subject: string, namespace: string | undefined, error: unknown): AdmissionError {
  const inNs = namespace ? ` in namespace "${namespace}"` : '';
  const elsewhere = '--helper-namespace NS for a namespace it does not cover';
  const say = (message: string, hint: string) => new AdmissionError(message, refusal, { hint, cause: error });
  switch (refusal.kind) {
    case 'pod-security':
      return say(`PodSecurity admission${inNs} (${refusal.level}) rejects the privileged helper pod`,
        'run the helper in a namespace that allows privileged pods with --helper-namespace NS (for example kube-system)');
    case 'quota-unset':
      return say(`ResourceQuota "${refusal.quota}"${inNs} requires ${subject} to set ${refusal.resources.join(', ')}`,
        `give them with --helper-requests/--helper-limits (for example --helper-limits cpu=100m,memory=64Mi), or use ${elsewhere}`);
    case 'quota-exceeded':
      return say(`ResourceQuota "${refusal.quota}"${inNs} has no room for ${subject} (${refusal.detail})`,
        `lower --helper-requests/--helper-limits, free room in the quota, or use ${elsewhere}`);
    case 'limit-range':
      return say(`a LimitRange${inNs} refuses the resources of ${subject}: ${refusal.detail}`,
        `set --helper-requests/--helper-limits within its bounds (kubectl describe limitrange${namespace ? ` -n ${namespace}` : ''}), or use ${elsewhere}`);
    case 'policy':
      return say(`ValidatingAdmissionPolicy "${refusal.policy}" (binding "${refusal.binding}") denies ${subject}${inNs}: ${refusal.detail}`,
        `run the helper where "${refusal.policy}" does not apply with --helper-namespace NS, or ask its owner for an exception`);
    case 'webhook':
      return refusal.unreachable
        ? say(`admission webhook "${refusal.webhook}" could not be called for ${subject}${inNs}: ${refusal.detail}`,
          `its service is down (ask its owner), or run the helper where "${refusal.webhook}" does not apply with --helper-namespace NS`)
        : say(`admission webhook "${refusal.webhook}" denies ${subject}${inNs}: ${refusal.detail}`,
          `run the helper where "${refusal.webhook}" does not apply with --helper-namespace NS, or ask its owner for an exception`);
  }
}

/**
 * Turns a failed API request into a one-line diagnosis that names the request and
 * the fix. Server answers (403, 404, 401) are recognised; transport failures
 * become "cannot reach the API server".
 */
export function describeApiError(error: unknown, action: ApiAction, server: string): Error {
  if (error instanceof UserError) return error;
  const where = action.namespace ? ` in namespace "${action.namespace}"` : '';
  const what = `${action.verb} ${action.resource}${action.name ? ` "${action.name}"` : ''}`;
  const code = statusCodeOf(error);
  const body = statusBodyOf(error);
  const serverMessage = oneLine(body.message ?? (error as Error)?.message ?? '');
  const refusal = code !== undefined && code >= 400 ? classifyRefusal(serverMessage) : undefined;
  if (refusal && refusal.kind !== 'rbac') {
    const subject = action.verb === 'create' && action.resource === 'pods' ? 'the helper pod' : `the request to ${what}`;
    return describeRefusal(refusal, subject, action.namespace, error);
  }
  if (code === 403 && refusal?.kind !== 'rbac') {
    // A 403 in no shape we know (another admission plugin): its own words say who refused; RBAC advice would mislead.
    return new UserError(`the API server refused to ${what}${where} (403 Forbidden): ${serverMessage}`, {
      hint: 'an admission step refused it (see its message); --helper-namespace NS may avoid it',
      cause: error,
    });
  }
  if (code === 403) {
    return new UserError(`RBAC forbids ${what}${where}: ${serverMessage}`, {
      hint: `ask a cluster admin for "${action.verb}" on "${action.resource}"${where}, or use --context/--as for an account that has it`,
      cause: error,
    });
  }
  if (code === 401) {
    return new UserError(`the API server at ${server} rejected the credentials (401 Unauthorized)`, {
      hint: 'refresh them (log in again) or pick another --context/--user',
      cause: error,
    });
  }
  if (code === 404) {
    return new UserError(`${action.resource}${action.name ? ` "${action.name}"` : ''} not found${where}`, {
      hint: `list what exists with kubectl get ${action.resource}${action.namespace ? ` -n ${action.namespace}` : ''}`,
      cause: error,
    });
  }
  if (code !== undefined) {
    return new UserError(`the API server refused to ${what}${where} (${code}${body.reason ? ` ${body.reason}` : ''}): ${serverMessage}`, {
      hint: code === 504 || code === 408 || body.reason === 'Timeout' ? 'retry with a longer --request-timeout' : 'see the message above',
      cause: error,
    });
  }
  const network = networkCodeOf(error);
  if (network || (error as { name?: string } | null)?.name === 'TimeoutError' || (error as Error)?.name === 'FetchError') {
    return new UserError(`cannot reach the API server at ${server} (${network ?? oneLine((error as Error).message)})`, {
      hint: 'check that the cluster is running and that --context/--kubeconfig point at it',
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
