// Where a crash-looping container stands in the kubelet's restart back-off: pure,
// from the container's status and the time now. The kubelet restarts a
// container at once after its first exit, then waits 10 s, doubling the wait
// after each further exit up to 5 minutes (its defaults; feature gates such as
// KubeletCrashLoopBackOffMax can change them), counted from when the last run
// finished. (Its doBackOff: no back-off entry yet on the first exit; each
// restart's Next() doubles it. Seen on this cluster: restart 5 came 160 s after
// the exit before it.)
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export const BACKOFF_INITIAL_SECONDS = 10;
export const BACKOFF_MAX_SECONDS = 300;

export interface CrashLoop {
  readonly restartCount: number;
  /** Running now: no back-off applies until it exits. */
  readonly running: boolean;
  /** The wait the kubelet applies before the next start. */
  readonly backoffSeconds: number;
  /** When the last run ended, if it did. */
  readonly finishedAt?: Date;
  /** finishedAt + backoffSeconds: when the next start is due (the kubelet may start it a little later). */
  readonly nextStartAt?: Date;
  /** Seconds until nextStartAt (0 once due). */
  readonly remainingSeconds?: number;
  readonly lastExitCode?: number;
  readonly lastReason?: string;
}

/** The back-off before the start that follows RESTART_COUNT restarts. */
export function backoffSeconds(restartCount: number): number {
  if (restartCount <= 0) return 0;
  const doublings = Math.min(restartCount - 1, 10);
  return Math.min(BACKOFF_INITIAL_SECONDS * 2 ** doublings, BACKOFF_MAX_SECONDS);
}

export function crashLoopOf(status: V1ContainerStatus | undefined, now: Date): CrashLoop {
  const restartCount = status?.restartCount ?? 0;
  const running = status?.state?.running !== undefined;
  // The run that just ended: the current state while the kubelet has not yet
  // moved on to waiting, else the last state.
  const ended = status?.state?.terminated ?? (running ? undefined : status?.lastState?.terminated);
  const backoff = backoffSeconds(restartCount);
  const finishedAt = toDate(ended?.finishedAt);
  const base = {
    restartCount,
    running,
    backoffSeconds: backoff,
    ...(ended?.exitCode !== undefined ? { lastExitCode: ended.exitCode } : {}),
    ...(ended?.reason !== undefined ? { lastReason: ended.reason } : {}),
  };
  if (running || finishedAt === undefined) return base;
  const nextStartAt = new Date(finishedAt.getTime() + backoff * 1000);
  const remainingSeconds = Math.max(0, Math.ceil((nextStartAt.getTime() - now.getTime()) / 1000));
  return { ...base, finishedAt, nextStartAt, remainingSeconds };
}

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Whether the kubelet will start this app container again (what --catch waits
 * for): a waiting container's start is coming (a back-off, an image pull, the
 * first start); an ended one restarts under restartPolicy Always, or OnFailure
 * after a failure; a finished or deleted pod starts nothing.
 */
export function startsAgain(pod: V1Pod, status: V1ContainerStatus | undefined): boolean {
  if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  const ended = status?.state?.terminated;
  if (!ended) return true;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && ended.exitCode !== 0);
}
