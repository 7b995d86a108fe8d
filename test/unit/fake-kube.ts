// An in-process fake of the project's Kube interface: just the calls the helper
// handle and the runner make (access reviews, create/delete pod, the pod and
// event watches, exec), each recorded in `journal` in the order it happened.
import { agentModeOf } from '../../src/agent/argv.js';
import type { V1Pod, V1Status } from '@kubernetes/client-node';
import type { Writable } from 'node:stream';
import type { Kube } from '../../src/kube/client.js';

export interface FakeKubeOptions {
  /** What the pod watch reports after the create: the helper runs, fails to pull, or never starts. */
  readonly start?: 'running' | 'image-error' | 'never';
  /** Stdout and exit status of an agent mode (argv[2]); default: empty output, exit 0. */
  readonly agent?: (mode: string) => { stdout?: string; stderr?: string; code?: number };
  /** Delays the access review until this promise settles. */
  readonly accessGate?: Promise<void>;
  /** Errors the deletes throw, in order (a delete past the list succeeds). */
  readonly deleteFailures?: readonly unknown[];
  /** An error the create throws after the pod was written (an answer lost on the way back). */
  readonly createLost?: unknown;
}

export interface FakeKube {
  readonly kube: Kube;
  readonly journal: string[];
  /** Names of the pods that exist now. */
  readonly pods: Map<string, V1Pod>;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

export function createFakeKube(options: FakeKubeOptions = {}): FakeKube {
  const journal: string[] = [];
  const pods = new Map<string, V1Pod>();
  let deletes = 0;
  const podWatchers = new Set<(type: string, pod: V1Pod) => void>();

  const startedPod = (pod: V1Pod): V1Pod => ({
    ...pod,
    status: options.start === 'image-error'
      ? { phase: 'Pending', containerStatuses: [{ name: 'nsdebug', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } } }] }
      : { phase: 'Running', containerStatuses: [{ name: 'nsdebug', image: '', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] },
  });

  class Watch {
    async watch(path: string, _query: unknown, onEvent: (type: string, obj: never) => void): Promise<AbortController> {
      const controller = new AbortController();
      if (path.endsWith('/pods')) {
        journal.push('watch pods');
        const listener = onEvent as (type: string, pod: V1Pod) => void;
        podWatchers.add(listener);
        controller.signal.addEventListener('abort', () => podWatchers.delete(listener));
        if (options.start !== 'never') {
          for (const pod of pods.values()) setTimeout(() => listener('MODIFIED', startedPod(pod)), 5);
        }
      }
      return controller;
    }
  }

  class Exec {
    async exec(_ns: string, pod: string, _container: string, command: string[], stdout: Writable, stderr: Writable | null, _stdin: unknown, _tty: boolean, onStatus: (status: V1Status) => void) {
      journal.push(`exec ${pod} ${agentModeOf(command)}`);
      const answer = options.agent?.(agentModeOf(command)) ?? {};
      if (answer.stdout) stdout.write(answer.stdout);
      if (answer.stderr) stderr?.write(answer.stderr);
      const code = answer.code ?? 0;
      onStatus(code === 0 ? { status: 'Success' } : { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } });
      return { readyState: 3, CLOSED: 3, on() {} };
    }
  }

  const kube = {
    lib: { Watch, Exec, WebSocketHandler: class {} },
    config: { getCurrentUser: () => ({ name: 'kubeconfig-user' }) },
    core: {
      async createNamespacedPod({ body }: { namespace: string; body: V1Pod }) {
        await tick();
        const name = body.metadata!.name!;
        journal.push(`create ${name}`);
        const created = { ...body, metadata: { ...body.metadata, resourceVersion: '1', uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' } };
        pods.set(name, created);
        if (options.createLost) throw options.createLost;
        return created;
      },
      async patchNamespacedPod({ name, body }: { name: string; namespace: string; body: Array<{ op: string; path: string; value?: string }> }) {
        await tick();
        journal.push(`patch ${name} ${body.filter((op) => op.op !== 'test').map((op) => `${op.op} ${op.path.split('/').pop()!.replace('~1', '/')}`).join(', ')}`);
        return pods.get(name) ?? {};
      },
      async deleteNamespacedPod({ name }: { name: string; namespace: string }) {
        await tick();
        journal.push(`delete ${name}`);
        const failure = options.deleteFailures?.[deletes++];
        if (failure) throw failure;
        pods.delete(name);
        return {};
      },
    },
    authz: {
      // No rules listed: every check goes to its own access review (and its gate).
      async createSelfSubjectRulesReview() {
        return { status: { resourceRules: [], incomplete: true } };
      },
      async createSelfSubjectAccessReview() {
        await options.accessGate;
        return { status: { allowed: true } };
      },
    },
    authn: {
      async createSelfSubjectReview() {
        journal.push('access');
        return { status: { userInfo: { username: 'alice' } } };
      },
    },
    namespace: 'default',
    contextNamespace: 'default',
    server: 'https://fake:6443',
    requestTimeoutMs: 0,
  } as unknown as Kube;
  return { kube, journal, pods };
}
