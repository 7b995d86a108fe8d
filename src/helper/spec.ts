import type { V1Pod } from '@kubernetes/client-node';
import type { HelperResources } from '../base/resources.js';
import type { HelperPrivileges } from './privileges.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'kubectl-nsdebug';
export const HELPER_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
export const ANNOTATION_PREFIX = 'nsdebug.dev';
/** The agent's sha256 (the text itself is in the command, where nobody can change it). */
export const AGENT_ANNOTATION = `${ANNOTATION_PREFIX}/agent-sha256`;
/** The helper's kind (src/helper/privileges.ts): what it was granted, for a reader and a reuse. */
export const KIND_ANNOTATION = `${ANNOTATION_PREFIX}/kind`;
export const HELPER_CONTAINER = 'nsdebug';


export interface HelperPodInput {
  readonly name: string;
  readonly namespace: string;
  readonly nodeName: string;
  readonly image: string;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Hard lifetime enforced by the kubelet (activeDeadlineSeconds). */
  readonly ttlSeconds: number;
  /** "pod/NS/NAME" or "node/NAME". */
  readonly target: string;
  readonly createdBy: string;
  readonly agentSha256: string;
  /** What the helper may do, from buildHelperPrivileges (its securityContext, hostIPC and node mounts). */
  readonly privileges: HelperPrivileges;
  readonly serveArgv: readonly string[];
  /** --helper-requests/--helper-limits (none: BestEffort). */
  readonly resources?: HelperResources | undefined;
  /** --image-pull-secret names, in the helper's namespace. */
  readonly imagePullSecrets?: readonly string[] | undefined;
}

/** The helper's name: nsdebug-<target>-<suffix>, within the 63 characters a label value allows. */
export function buildHelperName(targetName: string, suffix: string): string {
  const room = 63 - 'nsdebug--'.length - suffix.length;
  const stem = targetName.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, room).replace(/-+$/, '');
  return `nsdebug-${stem}-${suffix}`;
}

export function randomSuffix(random: () => number = Math.random): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

/**
 * The helper pod, with the privileges its job needs: pinned to the node (no scheduler round trip),
 * hostPID to see the target's processes, no service account token, tolerating
 * every taint, BestEffort so a full node never rejects it, and a server-side
 * deadline as the backstop for every client-side cleanup.
 */
export function buildHelperPod(input: HelperPodInput): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        'app.kubernetes.io/name': 'nsdebug-helper',
      },
      annotations: {
        [`${ANNOTATION_PREFIX}/target`]: input.target,
        [`${ANNOTATION_PREFIX}/node`]: input.nodeName,
        [`${ANNOTATION_PREFIX}/created-by`]: input.createdBy,
        [AGENT_ANNOTATION]: input.agentSha256,
        [KIND_ANNOTATION]: input.privileges.kind,
      },
    },
    spec: {
      nodeName: input.nodeName,
      hostPID: true,
      // The node's network namespace: no CNI round trip and no pod IP, so the helper
      // starts fast and still starts when pod networking is what is broken. It adds
      // nothing a hostPID container with CAP_SYS_ADMIN could not enter through /proc anyway.
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      ...(input.privileges.hostIPC ? { hostIPC: true } : {}),
      restartPolicy: 'Never',
      activeDeadlineSeconds: input.ttlSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      ...(input.imagePullSecrets?.length ? { imagePullSecrets: input.imagePullSecrets.map((name) => ({ name })) } : {}),
      containers: [
        {
          name: HELPER_CONTAINER,
          image: input.image,
          imagePullPolicy: input.imagePullPolicy,
          command: [...input.serveArgv],
          // Copies: a pod is a value its caller may change; the privileges may be shared.
          securityContext: structuredClone(input.privileges.securityContext),
          ...(input.resources?.requests || input.resources?.limits
            ? { resources: { ...(input.resources.requests ? { requests: { ...input.resources.requests } } : {}), ...(input.resources.limits ? { limits: { ...input.resources.limits } } : {}) } }
            : {}),
          ...(input.privileges.volumeMounts.length ? { volumeMounts: structuredClone(input.privileges.volumeMounts) } : {}),
        },
      ],
      ...(input.privileges.volumes.length ? { volumes: structuredClone(input.privileges.volumes) } : {}),
    },
  };
}
