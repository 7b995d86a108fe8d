import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';
import type { ContainerKind, ContainerState } from '../base/rules.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export type { ContainerKind, ContainerState };

export interface ContainerInfo {
  readonly name: string;
  readonly kind: ContainerKind;
  readonly image: string;
  /** running | waiting | terminated | unknown (no status yet) */
  readonly state: ContainerState;
  /** CrashLoopBackOff, Completed, ... */
  readonly reason: string | undefined;
  readonly restarts: number;
  /** The runtime's id without its scheme, when the container runs. */
  readonly containerId: string | undefined;
}

/** Every container of the pod (app, init, ephemeral) with its status, in spec order. */
export function listContainers(pod: V1Pod): ContainerInfo[] {
  const status = pod.status ?? {};
  const entries: Array<[ContainerKind, Array<{ name: string; image?: string }>, V1ContainerStatus[]]> = [
    ['container', pod.spec?.containers ?? [], status.containerStatuses ?? []],
    ['init', pod.spec?.initContainers ?? [], status.initContainerStatuses ?? []],
    ['ephemeral', pod.spec?.ephemeralContainers ?? [], status.ephemeralContainerStatuses ?? []],
  ];
  return entries.flatMap(([kind, specs, statuses]) =>
    specs.map((spec) => describeContainer(kind, spec.name, spec.image ?? '', statuses.find((s) => s.name === spec.name))),
  );
}

function describeContainer(kind: ContainerKind, name: string, image: string, status: V1ContainerStatus | undefined): ContainerInfo {
  const state = status?.state;
  const running = state?.running !== undefined && state.running !== null;
  const stateName = running ? 'running' : state?.waiting ? 'waiting' : state?.terminated ? 'terminated' : 'unknown';
  const reason = state?.waiting?.reason ?? state?.terminated?.reason ?? undefined;
  return {
    name,
    kind,
    image,
    state: stateName,
    reason,
    restarts: status?.restartCount ?? 0,
    containerId: running && status?.containerID ? stripScheme(status.containerID) : undefined,
  };
}

/** "containerd://abc" -> "abc". */
export function stripScheme(containerId: string): string {
  const index = containerId.indexOf('://');
  return index === -1 ? containerId : containerId.slice(index + 3);
}

export interface ChosenContainer {
  readonly container: ContainerInfo;
  /** Why this one, when the user did not name it (printed as a note), with the alternatives. */
  readonly note: string | undefined;
}

/**
 * Picks the container to debug: -c NAME, else the default-container annotation,
 * else the only container, else the first running one (sidecars injected first
 * must not win just by coming first when the app is named by the annotation).
 */
export function chooseContainer(pod: V1Pod, requested: string | undefined): ChosenContainer {
  const containers = listContainers(pod);
  const podName = pod.metadata?.name ?? '';
  const names = containers.map((c) => c.name);
  if (requested !== undefined) {
    const found = containers.find((c) => c.name === requested);
    if (!found) {
      throw new UserError(`container "${requested}" not found in pod "${podName}"`, {
        hint: `its containers are: ${names.join(', ')}`,
      });
    }
    return { container: found, note: undefined };
  }
  const app = containers.filter((c) => c.kind === 'container');
  const others = (chosen: ContainerInfo) => names.filter((n) => n !== chosen.name);
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  const byAnnotation = annotated ? app.find((c) => c.name === annotated) : undefined;
  if (byAnnotation) {
    return {
      container: byAnnotation,
      note: others(byAnnotation).length ? `using container "${byAnnotation.name}" (${DEFAULT_CONTAINER_ANNOTATION}); others: ${others(byAnnotation).join(', ')}; pick one with -c` : undefined,
    };
  }
  if (app.length === 1 && containers.length === 1) return { container: app[0]!, note: undefined };
  const chosen = app.find((c) => c.state === 'running') ?? app[0];
  if (!chosen) throw new UserError(`pod "${podName}" has no containers`, { hint: 'check kubectl get pod ' + podName + ' -o yaml' });
  if (app.length === 1) return { container: chosen, note: undefined };
  return {
    container: chosen,
    note: `pod "${podName}" has ${app.length} containers; using "${chosen.name}"${chosen.state === 'running' ? ' (the first running)' : ''}; others: ${others(chosen).join(', ')}; pick one with -c`,
  };
}
