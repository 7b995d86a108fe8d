// Namespace planning: which namespaces and tools a session uses in the planned
// target. Pure: warnings come back, nothing is written.
import type { V1Pod } from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';
import { enteredNamespaces, type NamespaceName, type Tools } from '../base/rules.js';
import { planTarget, sandboxNamespaces, type TargetPlan, type TargetWish } from './plan-target.js';

export interface NamespaceWish {
  readonly namespaces: readonly NamespaceName[];
  /** --ns was given: leaving some out must be said, not done silently. */
  readonly namespacesExplicit: boolean;
  readonly tools: Tools;
}

export interface SessionWish extends TargetWish, NamespaceWish {}

export type SessionPlan = TargetPlan & { readonly namespaces: readonly NamespaceName[]; readonly tools: Tools };

export interface PlannedSession {
  readonly plan: SessionPlan;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** The namespaces and tools for `target`: the sandbox keeps what it holds, target tools add mnt. */
export function planNamespaces(target: TargetPlan, wish: NamespaceWish): { namespaces: NamespaceName[]; tools: Tools; warnings: string[] } {
  if (target.kind === 'container') {
    return { namespaces: enteredNamespaces(wish.namespaces, wish.tools), tools: wish.tools, warnings: [] };
  }
  const warnings: string[] = [];
  const held = sandboxNamespaces(target.pod);
  const kept = wish.namespaces.filter((ns) => held.includes(ns));
  const dropped = wish.namespaces.filter((ns) => !held.includes(ns));
  if (kept.length === 0) {
    throw new UserError(`the pod sandbox of "${target.pod.metadata?.name ?? ''}" holds only the ${held.join(', ')} namespaces, and --ns asked for ${wish.namespaces.join(',')}`, {
      hint: `ask for some of them, for example --ns ${held.join(',')}`,
    });
  }
  if (target.fallback) warnings.push(`${target.fallback}; entering the pod sandbox (pause) instead, with namespaces ${kept.join(',')}`);
  if (dropped.length && wish.namespacesExplicit) warnings.push(`the sandbox does not hold ${dropped.join(', ')}: left out`);
  let tools = wish.tools;
  if (tools === 'target') {
    warnings.push('the sandbox has no filesystem worth using: --tools target becomes --tools helper');
    tools = 'helper';
  }
  return { namespaces: kept, tools, warnings };
}

/** Target, then namespaces: what a session enters, with the notes and warnings to show. */
export function planPodSession(pod: V1Pod, wish: SessionWish): PlannedSession {
  const { target, notes } = planTarget(pod, wish);
  const { namespaces, tools, warnings } = planNamespaces(target, wish);
  return { plan: { ...target, namespaces, tools }, notes, warnings };
}
