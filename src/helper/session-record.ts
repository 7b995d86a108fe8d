// A record of who entered: a Kubernetes Event on the target (the pod, or for a
// node target the node) when a session opens and when it closes, written with the
// user's own credentials, so `kubectl describe pod` shows it. The open event is
// sent without waiting (never on the session's critical path); the close event
// goes out as the session ends. Without RBAC for events: one warning, and on.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Progress } from '../base/progress.js';
import { formatElapsed } from '../base/duration.js';
import { visible } from '../base/visible.js';
import { describeCheck, buildRecordAccessCheck } from '../kube/access.js';
import type { Kube } from '../kube/client.js';
import { request } from '../kube/request.js';
import type { HelperHandle } from './handle.js';
import type { HelperRef } from './lifecycle.js';
import { ANNOTATION_PREFIX } from './spec.js';

export const RECORD_COMPONENT = 'kubectl-nsdebug';
export const RECORD_REASONS = { opened: 'NsdebugSessionStarted', closed: 'NsdebugSessionEnded' } as const;
/** The command in the message is cut here: the record says what, not every byte. */
const COMMAND_LIMIT = 256;

export type RecordTarget =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly uid: string; readonly container?: string }
  | { readonly kind: 'node'; readonly name: string };

export function podRecordTarget(pod: V1Pod, container?: string): RecordTarget {
  const meta = pod.metadata!;
  return { kind: 'pod', namespace: meta.namespace!, name: meta.name!, uid: meta.uid!, ...(container === undefined ? {} : { container }) };
}

/** `use` inside an open record: closed with 0, or with `failed` when it throws. */
export async function withSessionRecord<T>(kube: Kube, progress: Progress, helper: HelperHandle, details: Omit<SessionRecordInput, 'helper' | 'user' | 'eventNamespace'>, use: () => Promise<T>): Promise<T> {
  const record = await openSessionRecord(kube, progress, helper, details);
  try {
    const result = await use();
    await record.close(0);
    return result;
  } catch (error) {
    await record.close('failed');
    throw error;
  }
}

export interface SessionRecordInput {
  /** `session`, `ns` or `stats`. */
  readonly mode: string;
  readonly target: RecordTarget;
  readonly namespaces: readonly string[];
  readonly tools?: string;
  /** The remote command's argv; empty: an interactive shell. */
  readonly command?: readonly string[];
  readonly helper: HelperRef;
  readonly user: string;
  readonly eventNamespace: string;
}

export type RecordPhase = { readonly kind: 'opened' } | { readonly kind: 'closed'; readonly status: number | string; readonly durationMs: number };

/** Argv for a human: arguments quoted where a shell would need it, cut at COMMAND_LIMIT, control characters visible. */
export function formatCommand(argv: readonly string[] | undefined): string {
  if (argv === undefined || argv.length === 0) return 'an interactive shell';
  const text = argv.map((arg) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' ');
  return visible(text.length > COMMAND_LIMIT ? `${text.slice(0, COMMAND_LIMIT)}…` : text);
}

function describeTarget(target: RecordTarget): string {
  if (target.kind === 'node') return `node/${target.name}`;
  return `pod/${target.namespace}/${target.name}${target.container ? ` (${target.container})` : ''}`;
}

/** Pure: the Event for one phase of a session. */
export function buildSessionEvent(input: SessionRecordInput, phase: RecordPhase, at: Date): CoreV1Event {
  const { target } = input;
  const what = input.mode === 'session'
    ? `entered ${input.namespaces.length > 0 ? input.namespaces.join(',') : 'the node'} of ${describeTarget(target)} with ${input.tools ?? 'helper'} tools: ${formatCommand(input.command)}`
    : `ran nsdebug ${input.mode} on ${describeTarget(target)}`;
  const helper = `helper ${input.helper.namespace}/${input.helper.name}`;
  const message = phase.kind === 'opened'
    ? `${input.user} ${what} (${helper})`
    : `${input.user} ${input.mode === 'session' ? 'left' : 'finished'} ${describeTarget(target)}: exit ${phase.status} after ${formatElapsed(phase.durationMs)} (${what.replace(/^entered/, 'had entered')}; ${helper})`;
  const stamp = at.toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      // Unique without a lookup; kubectl's own events are named <object>.<hex>.
      generateName: `${target.name}.nsdebug-`,
      namespace: input.eventNamespace,
      annotations: {
        [`${ANNOTATION_PREFIX}/user`]: input.user,
        [`${ANNOTATION_PREFIX}/helper`]: `${input.helper.namespace}/${input.helper.name}`,
        [`${ANNOTATION_PREFIX}/command`]: JSON.stringify(input.command ?? []).slice(0, 4096),
      },
    },
    // kubectl describe finds a node's events by uid = its name (the kubelet's convention).
    involvedObject: target.kind === 'pod'
      ? { apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: target.name, uid: target.uid }
      : { kind: 'Node', name: target.name, uid: target.name },
    reason: RECORD_REASONS[phase.kind],
    message: visible(message),
    type: 'Normal',
    source: { component: RECORD_COMPONENT },
    firstTimestamp: stamp as unknown as Date,
    lastTimestamp: stamp as unknown as Date,
    count: 1,
  };
}

export interface SessionRecord {
  /** Sends the close event; never throws (a failed record is one warning). */
  close(status: number | string): Promise<void>;
}

/**
 * Opens the record of a session in `helper` (the access check has settled by the
 * time the helper runs, so this adds no round trip before the session).
 */
export async function openSessionRecord(kube: Kube, progress: Progress, helper: HelperHandle, details: Omit<SessionRecordInput, 'helper' | 'user' | 'eventNamespace'>): Promise<SessionRecord> {
  const access = await helper.access;
  const started = Date.now();
  const input: SessionRecordInput = { ...details, helper: helper.ref, user: access.user, eventNamespace: access.eventNamespace };
  if (!access.canRecord) {
    progress.warn(`this session leaves no record: RBAC forbids ${describeCheck(buildRecordAccessCheck(access.eventNamespace))}; going on without it`);
    return { close: async () => {} };
  }
  let warned = false;
  const send = async (phase: RecordPhase) => {
    try {
      const body = buildSessionEvent(input, phase, new Date());
      await request(kube, { verb: 'create', resource: 'events', namespace: input.eventNamespace }, () => kube.core.createNamespacedEvent({ namespace: input.eventNamespace, body }));
    } catch (error) {
      // Once: a record that fails to open is a warning; one that fails to close
      // follows a fault the user was already told about (API gone, rights revoked).
      const line = `could not record the session as an Event in namespace ${input.eventNamespace}: ${error instanceof Error ? error.message : String(error)}`;
      if (!warned) (phase.kind === 'opened' ? progress.warn : progress.note).call(progress, line);
      warned = true;
    }
  };
  const opened = send({ kind: 'opened' });
  return {
    close: async (status) => {
      await opened;
      await send({ kind: 'closed', status, durationMs: Date.now() - started });
    },
  };
}
