import { describe, expect, it } from 'vitest';
import { buildHelperPrivileges } from '../../src/helper/privileges.js';
import { buildHelperName, buildHelperPod, randomSuffix, HELPER_SELECTOR } from '../../src/helper/spec.js';

const input = {
  name: 'nsdebug-web-abcde',
  namespace: 'default',
  nodeName: 'node-1',
  image: 'busybox:1.36.1',
  imagePullPolicy: 'IfNotPresent' as const,
  ttlSeconds: 3600,
  target: 'pod/default/web',
  createdBy: 'alice',
  agentSha256: 'f'.repeat(64),
  privileges: buildHelperPrivileges({ job: 'session', tools: 'helper' }),
  serveArgv: ['sh', '/nsdebug/agent.sh', 'serve', '--idle', '30', '--idle-start', '600'],
};

describe('buildHelperPod', () => {
  it('builds a pod session\'s helper: not privileged, no node path, the capabilities to enter and debug', () => {
    expect(buildHelperPod(input)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'nsdebug-web-abcde',
        namespace: 'default',
        labels: { 'app.kubernetes.io/managed-by': 'kubectl-nsdebug', 'app.kubernetes.io/name': 'nsdebug-helper' },
        annotations: {
          'nsdebug.dev/target': 'pod/default/web',
          'nsdebug.dev/node': 'node-1',
          'nsdebug.dev/created-by': 'alice',
          'nsdebug.dev/agent-sha256': 'f'.repeat(64),
          'nsdebug.dev/kind': 'pod-helper-tools',
        },
      },
      spec: {
        nodeName: 'node-1',
        hostPID: true,
        hostNetwork: true,
        dnsPolicy: 'ClusterFirstWithHostNet',
        restartPolicy: 'Never',
        activeDeadlineSeconds: 3600,
        terminationGracePeriodSeconds: 0,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: 'nsdebug',
            image: 'busybox:1.36.1',
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '/nsdebug/agent.sh', 'serve', '--idle', '30', '--idle-start', '600'],
            securityContext: {
              privileged: false,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'], add: ['KILL', 'NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_CHROOT', 'SYS_PTRACE'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
      },
    });
  });

  it('shares the node IPC namespace only for node sessions', () => {
    expect(buildHelperPod(input).spec).not.toHaveProperty('hostIPC');
    const node = buildHelperPod({ ...input, privileges: buildHelperPrivileges({ job: 'node-session' }) });
    expect(node.spec).toMatchObject({ hostNetwork: true, hostIPC: true, hostPID: true });
    expect(node.spec!.containers[0]!.securityContext).toEqual({ privileged: true });
    expect(node.spec!.volumes).toEqual([{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }]);
    expect(node.spec!.containers[0]!.volumeMounts).toEqual([{ name: 'host-root', mountPath: '/host' }]);
  });

  it('copies the privileges: changing one pod leaves the next one built from them alone', () => {
    const first = buildHelperPod(input);
    first.spec!.volumes!.push({ name: 'more', emptyDir: {} });
    first.spec!.containers[0]!.securityContext!.capabilities!.add!.push('SYS_MODULE');
    expect(buildHelperPod(input)).toEqual(buildHelperPod({ ...input, privileges: buildHelperPrivileges({ job: 'session', tools: 'helper' }) }));
  });

  it('is found by the managed-by selector', () => {
    const [key, value] = HELPER_SELECTOR.split('=');
    expect(buildHelperPod(input).metadata?.labels?.[key!]).toBe(value);
  });
});

describe('buildHelperName', () => {
  it('prefixes and suffixes the target', () => {
    expect(buildHelperName('web', 'abcde')).toBe('nsdebug-web-abcde');
  });

  it('stays a valid 63-character name for long targets', () => {
    const name = buildHelperName('a'.repeat(70) + '.example-', 'xyz12');
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('replaces dots of node names', () => {
    expect(buildHelperName('worker-1.example.com', 'bcdfg')).toBe('nsdebug-worker-1-example-com-bcdfg');
  });
});

describe('randomSuffix', () => {
  it('is five DNS-safe characters from the seam', () => {
    expect(randomSuffix(() => 0)).toBe('bbbbb');
    expect(randomSuffix()).toMatch(/^[a-z0-9]{5}$/);
  });
});
