// Plain data the picker screens and the progress display consume. No Ink, no
// React, no Kubernetes client types here: the CLI maps its objects to these.
import type { ContainerKind, NamespaceName, ShownContainerState, Tools } from '../base/rules.js';

export type { NamespaceName, Tools };

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


/** One container of the chosen pod. Pass them all: the picker drops init and ephemeral containers that aren't running. */
export interface ContainerRow {
  readonly name: string;
  readonly image: string;
  readonly state: ShownContainerState;
  /** The waiting/terminated reason, e.g. `CrashLoopBackOff`, `Completed`. */
  readonly reason?: string;
  readonly restarts: number;
  /** The sandbox row is added by the picker itself. */
  readonly kind: ContainerKind;
  /** How its last run ended (the current one's when it has just ended), e.g. `{code: 1, reason: 'Error'}`. */
  readonly lastExit?: { readonly code: number; readonly reason?: string };
  /**
   * An app container that isn't running and that the kubelet will start again
   * (its restartPolicy): choosing it offers to catch that start (`--catch`).
   */
  readonly catchable?: boolean;
}

/** What the container screen returns. */
export type ContainerChoice =
  | { readonly kind: 'container'; readonly name: string }
  /** Wait for this container's next start, freeze it and enter it (`--catch`). */
  | { readonly kind: 'catch'; readonly name: string }
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

/** The "all pods" row's answer: one COMMAND in every pod of the workload (`--all-pods`). */
export interface PickedAllPods extends NamespaceChoice {
  readonly allPods: AllPodsOffer;
  /** The equivalent non-interactive command line, for display only. */
  readonly command: string;
}

/**
 * The pod step's "all pods (N)" row: the workload whose pods the fan-out
 * enters, and the flags that shape every pod's session.
 */
export interface AllPodsOffer {
  /** `deploy/api`, as the user would type it. */
  readonly target: string;
  /** The namespace the workload is in (echoed as -n when it is not the current one). */
  readonly namespace: string;
  /** -c NAME or --sandbox, when the user gave them. */
  readonly container?: string;
  readonly sandbox?: boolean;
}

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>;

/** The pod step: a list to choose from (may still be loading), or the pod the flags named. */
export type PodStep =
  | { readonly known: PodRef }
  | {
      readonly choose: MaybePromise<readonly PodRow[]>;
      /** Later pages, appended as they arrive: a big namespace shows its first page at once. */
      readonly more?: AsyncIterable<readonly PodRow[]>;
      /** First line of the screen, e.g. `Pods in namespace shop` or `Pods of deployment/web`. */
      readonly title: string;
      /** Show a NAMESPACE column (`-A`). */
      readonly showNamespace?: boolean;
      /**
       * A workload's pods: offer an "all pods (N)" row that runs the COMMAND in
       * each (only when a COMMAND was given: without one the screen says how).
       */
      readonly allPods?: AllPodsOffer;
    };

/** The container step for the chosen pod: a choice already made (flag, single container), or the rows to choose from. */
export type ContainerStep =
  | { readonly known: ContainerChoice; readonly sandboxNamespaces?: readonly NamespaceName[] }
  | {
      readonly choose: readonly ContainerRow[];
      /** What the sandbox holds: net, ipc, uts, plus pid when the pod shares its process namespace. */
      readonly sandboxNamespaces: readonly NamespaceName[];
      /** The container to highlight first (e.g. the default-container annotation). */
      readonly initial?: string;
    };

/** The namespace step: a choice already made (`--ns` and `--tools` given), or the screen with optional presets from flags. */
export type NamespaceStep =
  | { readonly known: NamespaceChoice }
  | {
      readonly initial?: Partial<NamespaceChoice>;
      /** Which namespaces the target shares with the node; may resolve late (the helper must be up). Rejections only hide the marks. */
      readonly sharedWithNode?: (pod: PodRef, container: ContainerChoice) => MaybePromise<readonly NamespaceName[]>;
    };

/**
 * What `runPicker` asks, in order: pod, then container, then namespaces and tools.
 * Steps with a known answer are skipped; data may arrive while earlier screens show.
 */
export interface PickerPlan {
  readonly pod: PodStep;
  /** Called once the pod is known; its result decides the container step. A rejection ends the picker with that error. */
  readonly container: (pod: PodRef) => MaybePromise<ContainerStep>;
  readonly namespaces: NamespaceStep;
  /** The namespace step for a caught container (`--catch` enters with target tools unless --tools says otherwise); default: `namespaces`. */
  readonly catchNamespaces?: NamespaceStep;
  /**
   * Called once, as soon as the pod is known (chosen, or at once when `pod` is known),
   * so the CLI can start creating the helper while the user still chooses. Must not throw.
   */
  readonly onPodChosen?: (pod: PodRef) => void;
  /** The namespace kubectl would use without -n: the equivalent command adds `-n` for a pod elsewhere. */
  readonly currentNamespace?: string;
  /** Other flags the user gave, echoed in the equivalent command (e.g. `['--image', 'x']`). */
  readonly extraArgs?: readonly string[];
  /** The remote command after `--`, echoed in the equivalent command. */
  readonly command?: readonly string[];
}
