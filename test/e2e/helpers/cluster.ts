// Shared helpers for the e2e tests: they drive the real local cluster
// (`npm run cluster:up`) through the kubectl binary, as a user would.
//
// - Every object a test creates gets a unique name (`uniqueName`) and the label
//   `nsdebug.dev/e2e=true` (see `E2E_LABEL`), so the suite's final check can
//   prove nothing was left behind.
// - Commands are argv arrays, never shell strings.
// - The cluster is reached with KUBECONFIG (set by test/e2e/global-setup.ts to
//   <repo>/.e2e/kubeconfig), falling back to that file when unset.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The admin kubeconfig `npm run cluster:up` writes. */
export const KUBECONFIG_PATH = join(REPO_ROOT, '.e2e', 'kubeconfig');
/** The local busybox image (sh, nsenter, unshare, ip, ps, mount, free, nproc, od, httpd). */
export const E2E_IMAGE = 'localhost/nsdebug/busybox:e2e';
/** The local busybox image plus util-linux setpriv and nsenter (cluster/images/build.sh): what --tools target needs in a helper. */
export const TOOLBOX_IMAGE = 'localhost/nsdebug/toolbox:e2e';
/** The name the harness registers its one node under. */
export const NODE_NAME = 'nsdebug-node';
/** The second node (cluster/node2.sh); its taint nsdebug.dev/second-node=true:NoSchedule keeps ordinary pods off it. */
export const NODE2_NAME = 'nsdebug-node-2';
/** Label key and value on everything the e2e tests create. */
export const E2E_LABEL = { key: 'nsdebug.dev/e2e', value: 'true' } as const;

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** Exit status; null when the process was killed (timeout or signal). */
  readonly code: number | null;
}

export interface RunOptions {
  /** Written to the child's stdin, which is then closed. */
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the child after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/** Runs a program and resolves with its output and exit status; never rejects on a non-zero exit. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      file,
      [...args],
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') {
          reject(new Error(`cannot run ${file}: ${error.message}`, { cause: error }));
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolvePromise({ stdout, stderr, code });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** The environment kubectl runs with: the caller's, with KUBECONFIG defaulting to the local cluster. */
export function kubeEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: process.env.KUBECONFIG ?? KUBECONFIG_PATH, ...extra };
}

/** Runs kubectl and resolves with its full result, whatever the exit status. */
export function kubectlResult(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('kubectl', args, { ...options, env: options.env ?? kubeEnv() });
}

/** Runs kubectl and resolves with its stdout; rejects with its stderr when it fails. */
export async function kubectl(args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await kubectlResult(args, options);
  if (result.code !== 0) {
    throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/**
 * A name no other test run uses: `<prefix>-<base36 time><4 random chars>`, a
 * valid DNS-1123 label (prefix lowercased, truncated so the whole is <= 63).
 */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'e2e';
  const suffix = Date.now().toString(36) + randomBytes(3).toString('hex').slice(0, 4);
  return `${clean.slice(0, 62 - suffix.length)}-${suffix}`;
}

export interface PodOptions {
  readonly namespace?: string;
  /** Defaults to sleeping for an hour. */
  readonly command?: readonly string[];
  readonly image?: string;
  readonly imagePullPolicy?: 'Never' | 'IfNotPresent';
  readonly hostNetwork?: boolean;
  readonly privileged?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Builds a one-container busybox pod manifest (pure). */
/**
 * A Deployment of sleeping busybox pods spread over both nodes (one per node first):
 * it tolerates the second node's taint. `strict` makes the spread a scheduling rule.
 */
export function buildSpreadDeployment(name: string, options: { replicas: number; namespace?: string; strict: boolean; podLabels?: Record<string, string> }): Record<string, unknown> {
  const e2e = { [E2E_LABEL.key]: E2E_LABEL.value };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels: e2e },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...options.podLabels, ...e2e } },
        spec: {
          terminationGracePeriodSeconds: 0,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          tolerations: [{ key: 'nsdebug.dev/second-node', operator: 'Exists', effect: 'NoSchedule' }],
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: options.strict ? 'DoNotSchedule' : 'ScheduleAnyway', labelSelector: { matchLabels: { app: name } } }],
          containers: [{ name: 'main', image: E2E_IMAGE, imagePullPolicy: 'Never', command: ['sleep', '3600'] }],
        },
      },
    },
  };
}

export function buildBusyboxPod(name: string, options: PodOptions = {}): Record<string, unknown> {
  const securityContext = options.privileged ? { privileged: true } : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: { [E2E_LABEL.key]: E2E_LABEL.value, ...options.labels },
    },
    spec: {
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(options.hostNetwork ? { hostNetwork: true } : {}),
      containers: [
        {
          name: 'main',
          image: options.image ?? E2E_IMAGE,
          imagePullPolicy: options.imagePullPolicy ?? 'Never',
          command: [...(options.command ?? ['sleep', '3600'])],
          ...(securityContext ? { securityContext } : {}),
        },
      ],
    },
  };
}

export interface TestContainer {
  name: string;
  command: string[];
  resources?: Record<string, unknown>;
}

/** A pod of local-image containers, each with its command (and resources), plus any spec fields. */
export function buildPod(name: string, containers: TestContainer[], spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
    spec: {
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...spec,
      containers: containers.map((c) => ({
        name: c.name,
        image: E2E_IMAGE,
        imagePullPolicy: 'IfNotPresent',
        command: c.command,
        ...(c.resources ? { resources: c.resources } : {}),
      })),
    },
  };
}

/** Applies any manifest (YAML text, or an object sent as JSON) with `kubectl apply -f -`. */
export async function applyManifest(manifest: string | Record<string, unknown>, namespace?: string): Promise<void> {
  const input = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
  await kubectl(['apply', '-f', '-', ...(namespace ? ['-n', namespace] : [])], { input });
}

/** Applies a pod manifest (see `buildBusyboxPod`); wait for it with `waitPodRunning`. */
export const applyPod = applyManifest;

/** The parts of a pod's JSON the helpers and tests read. */
export interface PodJson {
  metadata: { name: string; namespace: string; uid: string };
  spec: { nodeName?: string; hostNetwork?: boolean };
  status: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    containerStatuses?: Array<{
      name: string;
      containerID?: string;
      ready: boolean;
      state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
    }>;
  };
}

export async function getPod(name: string, namespace = 'default'): Promise<PodJson> {
  return JSON.parse(await kubectl(['get', 'pod', name, '-n', namespace, '-o', 'json'])) as PodJson;
}

// Waiting reasons that never resolve by themselves: fail at once, not at the timeout.
const FATAL_WAITING = new Set([
  'ErrImageNeverPull',
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
  'RunContainerError',
]);

/** Polls a pod until it is Running with every container ready; rejects early on a fatal state. */
export async function waitPodRunning(
  name: string,
  options: { namespace?: string; timeoutMs?: number } = {},
): Promise<PodJson> {
  const namespace = options.namespace ?? 'default';
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: PodJson | undefined;
  while (Date.now() < deadline) {
    last = await getPod(name, namespace);
    const statuses = last.status.containerStatuses ?? [];
    if (last.status.phase === 'Running' && statuses.length > 0 && statuses.every((s) => s.ready)) return last;
    if (last.status.phase === 'Failed' || last.status.phase === 'Succeeded') {
      throw new Error(`pod ${namespace}/${name} ended (${last.status.phase}) before running: ${JSON.stringify(last.status)}`);
    }
    const fatal = statuses.find((s) => FATAL_WAITING.has(s.state?.waiting?.reason ?? ''));
    if (fatal) {
      const { reason, message } = fatal.state?.waiting ?? {};
      throw new Error(`pod ${namespace}/${name} cannot start: ${reason}: ${message ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`pod ${namespace}/${name} not Running after ${options.timeoutMs ?? 60_000} ms: ${JSON.stringify(last?.status)}`);
}

/** Deletes a pod at once (grace period 0); a missing pod is fine. */
export async function deletePod(name: string, namespace = 'default'): Promise<void> {
  await kubectl(['delete', 'pod', name, '-n', namespace, '--grace-period=0', '--force', '--ignore-not-found', '--wait=false']);
}

/** Creates a namespace with the e2e label plus the given labels. */
export async function createNamespace(name: string, labels: Readonly<Record<string, string>> = {}): Promise<void> {
  await applyManifest({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { [E2E_LABEL.key]: E2E_LABEL.value, ...labels } },
  });
}

/** Deletes a namespace without waiting for its contents to go. */
export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
}

/** Runs a command in a pod's container through `kubectl exec` (argv, no shell). */
export function execInPod(
  name: string,
  command: readonly string[],
  options: { namespace?: string; container?: string } = {},
): Promise<RunResult> {
  return kubectlResult([
    'exec',
    name,
    '-n',
    options.namespace ?? 'default',
    ...(options.container ? ['-c', options.container] : []),
    '--',
    ...command,
  ]);
}
