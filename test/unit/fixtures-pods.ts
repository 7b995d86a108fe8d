import type { V1Pod } from '@kubernetes/client-node';

const UID = '0d9f6a3e-2b1c-4d5e-8f70-1a2b3c4d5e6f';
const id = (n: number) => String(n).repeat(64).slice(0, 64);

/** A pod fixture: containers given as [name, state] with state running|waiting|terminated. */
export function makePod(
  containers: Array<[string, 'running' | 'waiting' | 'terminated', string?]>,
  extra: { annotations?: Record<string, string>; shareProcessNamespace?: boolean; phase?: string; nodeName?: string | null } = {},
): V1Pod {
  return {
    metadata: { name: 'web', namespace: 'default', uid: UID, annotations: extra.annotations ?? {} },
    spec: {
      nodeName: extra.nodeName === null ? undefined : (extra.nodeName ?? 'node-1'),
      shareProcessNamespace: extra.shareProcessNamespace,
      containers: containers.map(([name]) => ({ name, image: `img/${name}:1` })),
    },
    status: {
      phase: extra.phase ?? 'Running',
      containerStatuses: containers.map(([name, state, reason], index) => ({
        name,
        image: `img/${name}:1`,
        imageID: '',
        ready: state === 'running',
        restartCount: state === 'running' ? 0 : 4,
        containerID: state === 'running' ? `containerd://${id(index + 1)}` : undefined,
        state:
          state === 'running'
            ? { running: { startedAt: new Date(0) } }
            : state === 'waiting'
              ? { waiting: { reason: reason ?? 'CrashLoopBackOff' } }
              : { terminated: { exitCode: 1, reason: reason ?? 'Error' } },
      })),
    },
  };
}

export const POD_UID = UID;
export const containerIdFor = id;
