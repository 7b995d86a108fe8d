import type { V1Status } from '@kubernetes/client-node';

export type ExecOutcome = { kind: 'exit'; code: number } | { kind: 'error'; message: string };

/**
 * Reads the exec status channel: Success -> 0, NonZeroExitCode -> the code from
 * details.causes, anything else -> an error the API server reported.
 */
export function exitOutcomeOf(status: V1Status): ExecOutcome {
  if (status.status === 'Success') return { kind: 'exit', code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { kind: 'exit', code };
  }
  return { kind: 'error', message: status.message ?? status.reason ?? 'the exec failed' };
}
