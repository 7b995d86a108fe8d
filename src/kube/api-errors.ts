import { UserError, oneLine } from '../base/errors.js';

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
  if (code === 403) {
    if (isPodSecurityRejection(serverMessage)) {
      const policy = /violates PodSecurity "([^"]+)"/.exec(serverMessage)?.[1] ?? 'its PodSecurity level';
      return new UserError(
        `PodSecurity admission in namespace "${action.namespace}" (${policy}) rejects the privileged helper pod`,
        { hint: 'run the helper in a namespace that allows privileged pods with --helper-namespace NS (for example kube-system)', cause: error },
      );
    }
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
      hint: 'see the message above; retry with a longer --request-timeout if it was a timeout',
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
