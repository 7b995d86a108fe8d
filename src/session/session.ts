// A planned session: where its helper goes, how it is labelled, and the agent
// invocation that enters it. Pure builders shared by the plain path and the picker.
import type { V1Pod } from '@kubernetes/client-node';
import { buildSessionArgv, type SessionArgvInput } from '../agent/argv.js';
import type { Tools } from '../base/rules.js';
import { formatTargetRef, type TargetRef } from '../kube/target-ref.js';
import { planPodSession, type SessionPlan, type SessionWish } from './plan-namespaces.js';
import { buildPodTarget, targetName } from './plan-target.js';

/** Everything a session needs once the target is known. */
export interface ResolvedSession {
  readonly nodeName: string;
  readonly namespace: string;
  /** `pod/NS/NAME` or `node/NAME`, for the helper's annotation. */
  readonly targetAnnotation: string;
  /** Goes into the helper's name. */
  readonly targetName: string;
  readonly label: string;
  readonly plan: SessionPlan | { readonly kind: 'node' };
}

/** A planned session and what to tell the user about the choices made. */
export interface BuiltSession {
  readonly session: ResolvedSession;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** Pure: plans the session in a resolved pod; the notes and warnings say what it chose and why. */
export function buildPodSession(pod: V1Pod, wish: SessionWish): BuiltSession {
  const { plan, notes, warnings } = planPodSession(pod, wish);
  const podName = pod.metadata!.name!;
  const namespace = pod.metadata!.namespace!;
  const session: ResolvedSession = {
    nodeName: pod.spec!.nodeName!,
    namespace,
    targetAnnotation: `pod/${namespace}/${podName}`,
    targetName: podName,
    label: `pod/${podName}:${targetName(plan)}`,
    plan,
  };
  return { session, notes, warnings };
}

/** Pure: a session on a node (the helper shares the node's namespaces). */
export function buildNodeSession(target: TargetRef & { kind: 'node' }, namespace: string): ResolvedSession {
  const ref = formatTargetRef(target);
  return { nodeName: target.name, namespace, targetAnnotation: ref, targetName: target.name, label: ref, plan: { kind: 'node' } };
}

/** The tools the session runs with: the plan's for a pod, the flag's for a node (never target). */
export function sessionTools(session: ResolvedSession, requested: Tools): Tools {
  if (session.plan.kind !== 'node') return session.plan.tools;
  return requested === 'host' ? 'host' : 'helper';
}

/** The agent invocation for the planned session. */
export function buildSessionCommand(session: ResolvedSession, command: readonly string[], tools: Tools, id: Pick<SessionArgvInput, 'sessionId' | 'markedExit' | 'keepWarmSeconds'> = {}): string[] {
  const { plan } = session;
  if (plan.kind === 'node') {
    return buildSessionArgv({ target: { kind: 'node' }, namespaces: [], tools: sessionTools(session, tools), label: session.label, command, ...id });
  }
  return buildSessionArgv({
    podUid: plan.pod.metadata!.uid!,
    target: buildPodTarget(plan),
    namespaces: [...plan.namespaces],
    tools: plan.tools,
    label: session.label,
    command,
    ...id,
  });
}

/** What the progress line says while entering. */
export function describeEntering(session: ResolvedSession): string {
  return session.plan.kind === 'node' ? session.label : `${session.label} (${session.plan.namespaces.join(',')})`;
}
