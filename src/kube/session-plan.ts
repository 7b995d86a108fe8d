import type { V1Pod } from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';
import { chooseContainer, listContainers, type ContainerInfo } from './choose-container.js';

import type { NamespaceType, Tools } from '../agent/argv.js';

export type NamespaceName = NamespaceType;
export type { Tools };

export interface SessionWish {
  readonly container: string | undefined;
  readonly sandbox: boolean;
  readonly namespaces: readonly NamespaceName[];
  /** --ns was given: leaving some out must be said, not done silently. */
  readonly namespacesExplicit: boolean;
  readonly tools: Tools;
}

export type SessionPlan =
  | { readonly kind: 'container'; readonly pod: V1Pod; readonly container: ContainerInfo; readonly containerId: string; readonly namespaces: readonly NamespaceName[]; readonly tools: Tools }
  | { readonly kind: 'sandbox'; readonly pod: V1Pod; readonly excludeIds: readonly string[]; readonly namespaces: readonly NamespaceName[]; readonly tools: Tools };

export interface PlannedSession {
  readonly plan: SessionPlan;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** The namespaces a pod's sandbox (pause) process holds for the whole pod. */
export function sandboxNamespaces(pod: V1Pod): NamespaceName[] {
  return pod.spec?.shareProcessNamespace ? ['net', 'pid', 'uts', 'ipc'] : ['net', 'uts', 'ipc'];
}

function runningContainerIds(pod: V1Pod): string[] {
  return listContainers(pod).flatMap((c) => (c.containerId ? [c.containerId] : []));
}

/**
 * Decides what the session enters: the chosen container, or the pod sandbox when
 * asked (--sandbox) or when the container is not running (crash loop, waiting,
 * terminated): the article's case of a container that never started, whose pod
 * network still lives in the pause process.
 */
export function planPodSession(pod: V1Pod, wish: SessionWish): PlannedSession {
  const notes: string[] = [];
  const warnings: string[] = [];
  const podName = pod.metadata?.name ?? '';
  const toSandbox = (why: string | undefined): PlannedSession => {
    const held = sandboxNamespaces(pod);
    const kept = wish.namespaces.filter((ns) => held.includes(ns));
    const dropped = wish.namespaces.filter((ns) => !held.includes(ns));
    if (kept.length === 0) {
      throw new UserError(`the pod sandbox of "${podName}" holds only the ${held.join(', ')} namespaces, and --ns asked for ${wish.namespaces.join(',')}`, {
        hint: `ask for some of them, for example --ns ${held.join(',')}`,
      });
    }
    if (why) warnings.push(`${why}; entering the pod sandbox (pause) instead, with namespaces ${kept.join(',')}`);
    if (dropped.length && wish.namespacesExplicit) warnings.push(`the sandbox does not hold ${dropped.join(', ')}: left out`);
    let tools = wish.tools;
    if (tools === 'target') {
      warnings.push('the sandbox has no filesystem worth using: --tools target becomes --tools helper');
      tools = 'helper';
    }
    return { plan: { kind: 'sandbox', pod, excludeIds: runningContainerIds(pod), namespaces: kept, tools }, notes, warnings };
  };

  if (wish.sandbox) {
    if (wish.container !== undefined) throw new UserError('-c/--container and --sandbox exclude each other', { hint: 'drop one of them' });
    return toSandbox(undefined);
  }
  const choice = chooseContainer(pod, wish.container);
  if (choice.note) notes.push(choice.note);
  const { container } = choice;
  if (container.state !== 'running' || !container.containerId) {
    const state = container.reason ?? container.state;
    return toSandbox(`container "${container.name}" is not running (${state})`);
  }
  const namespaces = wish.tools === 'target' && !wish.namespaces.includes('mnt') ? [...wish.namespaces, 'mnt' as const] : wish.namespaces;
  return { plan: { kind: 'container', pod, container, containerId: container.containerId, namespaces, tools: wish.tools }, notes, warnings };
}
