// Plain data the picker screens and the progress display consume. No Ink, no
// React, no Kubernetes client types here: the CLI maps its objects to these.

/** A pod as the picker lists it. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

/** One row of the pod screen, formatted like `kubectl get pods`. */
export interface PodRow extends PodRef {
  /** Ready containers over all containers, e.g. `1/2`. */
  readonly ready: string;
  /** The phase or the most telling container reason: `Running`, `CrashLoopBackOff`, `Pending`, … */
  readonly status: string;
  readonly restarts: number;
  /** Node name; empty while the pod is unscheduled. */
  readonly node: string;
  /** Age as kubectl prints it, e.g. `5m`, `3d`. */
  readonly age: string;
}

export type ContainerState = 'running' | 'waiting' | 'terminated';

/** Which list of the pod spec the container comes from. The sandbox row is added by the picker itself. */
export type ContainerKind = 'container' | 'init' | 'ephemeral';

/** One container of the chosen pod. Pass them all: the picker drops init and ephemeral containers that aren't running. */
export interface ContainerRow {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  /** The waiting/terminated reason, e.g. `CrashLoopBackOff`, `Completed`. */
  readonly reason?: string;
  readonly restarts: number;
  readonly kind: ContainerKind;
}

/** Linux namespace types, in the order the CLI lists them. */
export const NAMESPACE_NAMES = ['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time'] as const;
export type NamespaceName = (typeof NAMESPACE_NAMES)[number];

/** Whose programs and filesystem the session uses (`--tools`). */
export const TOOLS = ['helper', 'host', 'target'] as const;
export type Tools = (typeof TOOLS)[number];

/** The CLI defaults (`--ns` and `--tools` not given). */
export const DEFAULT_NAMESPACES: readonly NamespaceName[] = ['net', 'pid', 'uts', 'ipc'];
export const DEFAULT_TOOLS: Tools = 'helper';

/** What the container screen returns. */
export type ContainerChoice =
  | { readonly kind: 'container'; readonly name: string }
  | {
      readonly kind: 'sandbox';
      /** Set when the user picked a container that isn't running and the session falls back to the sandbox. */
      readonly instead?: { readonly name: string; readonly reason: string };
    };

/** What the namespace screen returns. With tools `target`, `namespaces` includes `mnt`. */
export interface NamespaceChoice {
  readonly namespaces: readonly NamespaceName[];
  readonly tools: Tools;
}

/** Everything the picker chose: enough to build the session. */
export interface PickerResult extends NamespaceChoice {
  readonly pod: PodRef;
  readonly container: ContainerChoice;
  /** The equivalent non-interactive command line, for display only. */
  readonly command: string;
}
