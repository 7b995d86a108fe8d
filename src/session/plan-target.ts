// Target planning: which process a session, `ns` or `stats` looks at, the chosen
// container or the pod sandbox (pause). Pure: notes come back, nothing is written.
import type { V1Pod } from '@kubernetes/client-node';
import { assertContainerOrSandbox, sandboxNamespaceTypes, type NamespaceName } from '../base/rules.js';
import { chooseContainer, listContainers, type ContainerInfo } from '../kube/choose-container.js';
import type { PodTarget } from '../agent/argv.js';

export interface TargetWish {
  readonly container: string | undefined;
  readonly sandbox: boolean;
}

export type TargetPlan =
  | { readonly kind: 'container'; readonly pod: V1Pod; readonly container: ContainerInfo; readonly containerId: string }
  | {
      readonly kind: 'sandbox';
      readonly pod: V1Pod;
      /** Running containers, which are not the sandbox. */
      readonly excludeIds: readonly string[];
      /** Why the sandbox although a container was meant (it is not running); absent for --sandbox. */
      readonly fallback: string | undefined;
    };

export interface PlannedTarget {
  readonly target: TargetPlan;
  readonly notes: readonly string[];
}

/** The namespaces a pod's sandbox (pause) process holds for the whole pod. */
export function sandboxNamespaces(pod: V1Pod): NamespaceName[] {
  return sandboxNamespaceTypes(pod.spec?.shareProcessNamespace === true);
}

function runningContainerIds(pod: V1Pod): string[] {
  return listContainers(pod).flatMap((c) => (c.containerId ? [c.containerId] : []));
}

/**
 * The chosen container, or the pod sandbox when asked (--sandbox) or when the
 * container is not running (crash loop, waiting, terminated): a container that
 * never started still has its pod network in the pause process.
 */
export function planTarget(pod: V1Pod, wish: TargetWish): PlannedTarget {
  assertContainerOrSandbox(wish.container, wish.sandbox);
  const sandbox = (fallback: string | undefined): TargetPlan => ({ kind: 'sandbox', pod, excludeIds: runningContainerIds(pod), fallback });
  if (wish.sandbox) return { target: sandbox(undefined), notes: [] };
  const choice = chooseContainer(pod, wish.container);
  const notes = choice.note ? [choice.note] : [];
  const { container } = choice;
  if (container.state !== 'running' || !container.containerId) {
    return { target: sandbox(`container "${container.name}" is not running (${container.reason ?? container.state})`), notes };
  }
  return { target: { kind: 'container', pod, container, containerId: container.containerId }, notes };
}

/** The agent's view of the planned target. */
export function buildPodTarget(target: TargetPlan): PodTarget {
  return target.kind === 'container' ? { kind: 'container', containerId: target.containerId } : { kind: 'sandbox', exclude: [...target.excludeIds] };
}

/** `app` or `sandbox`: how output and labels name the target. */
export function targetName(target: TargetPlan): string {
  return target.kind === 'container' ? target.container.name : 'sandbox';
}
