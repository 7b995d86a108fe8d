// Fault injection on the real local cluster: stop, continue, kill and restart
// its components (the processes cluster/up.sh started, found through their PID
// files), wait for them to be healthy again, and drive the plugin as a child
// whose output can be watched while it runs.
//
// Everything here assumes the caller holds the cluster lock (see
// assertClusterLockHeld): a stopped apiserver would break every other user of
// the machine's one cluster. Whatever a test breaks, restoreCluster() repairs:
// SIGCONT to every component, then `bash cluster/up.sh` (it restarts only what
// is missing), then the node Ready again.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyManifest, kubectl, kubectlResult, kubeEnv, run, uniqueName, E2E_LABEL, NODE_NAME, REPO_ROOT, type RunResult } from './cluster.js';
import { helperPods, waitFor } from './nsdebug.js';

export const CLUSTER_STATE = process.env.NSDEBUG_CLUSTER_STATE ?? '/var/lib/nsdebug-cluster';
export const CLUSTER_LOCK = '/tmp/nsdebug-cluster.lock';
/** In start order, as cluster/lib.sh's COMPONENTS. */
export const COMPONENTS = ['etcd', 'containerd', 'apiserver', 'controller-manager', 'scheduler', 'kubelet'] as const;
export type Component = (typeof COMPONENTS)[number];

/** Field 22 of /proc/PID/stat: tells a recorded PID from a later process that reused it. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The PID of a component if that very process (same start time as recorded) still runs. */
export function componentPid(name: Component): number | undefined {
  let recorded: string;
  try {
    recorded = readFileSync(join(CLUSTER_STATE, 'run', `${name}.pid`), 'utf8');
  } catch {
    return undefined;
  }
  const [pid, start] = recorded.trim().split(/\s+/);
  if (!pid || !/^\d+$/.test(pid)) return undefined;
  return startTime(Number(pid)) === start ? Number(pid) : undefined;
}

function requirePid(name: Component): number {
  const pid = componentPid(name);
  if (pid === undefined) throw new Error(`cluster component ${name} is not running (no live PID in ${CLUSTER_STATE}/run/${name}.pid)`);
  return pid;
}

/** SIGSTOP: the process stays, its sockets stay open, nothing answers. */
export function stopComponent(name: Component): void {
  process.kill(requirePid(name), 'SIGSTOP');
}

/** SIGCONT; a component that is not running is left alone. */
export function continueComponent(name: Component): void {
  const pid = componentPid(name);
  if (pid !== undefined) process.kill(pid, 'SIGCONT');
}

/** Kills a component (default SIGKILL: no shutdown of its own) and waits until it is gone. */
export async function killComponent(name: Component, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const pid = requirePid(name);
  process.kill(pid, 'SIGCONT'); // a stopped process would not act on TERM
  process.kill(pid, signal);
  await waitFor(`${name} (pid ${pid}) to exit`, async () => (componentPid(name) === undefined ? true : undefined), 30_000, 100);
}

/**
 * `bash cluster/up.sh`: restarts whatever component is missing, waits for the
 * node to be Ready. Run without flock: the caller already holds the lock, and
 * a second flock on it from a child would wait for ever.
 */
export async function restartMissing(timeoutMs = 240_000): Promise<void> {
  const result = await run('bash', [join(REPO_ROOT, 'cluster', 'up.sh')], { timeoutMs });
  if (result.code !== 0) {
    throw new Error(`cluster/up.sh exited ${result.code}:\n${(result.stderr + result.stdout).split('\n').slice(-40).join('\n')}`);
  }
}

export async function apiserverReady(): Promise<boolean> {
  const result = await kubectlResult(['get', '--raw', '/readyz', '--request-timeout=3s'], { timeoutMs: 5_000 }).catch(() => undefined);
  return result?.code === 0;
}

/** The node's Ready condition: True, False, Unknown, or undefined when the API does not answer. */
export async function nodeReadyStatus(): Promise<string | undefined> {
  const result = await kubectlResult(['get', 'node', NODE_NAME, '--request-timeout=3s', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { timeoutMs: 5_000 }).catch(() => undefined);
  return result?.code === 0 ? result.stdout.trim() : undefined;
}

export async function waitNodeReady(want: 'True' | 'not True', timeoutMs: number): Promise<void> {
  await waitFor(`node ${NODE_NAME} Ready=${want}`, async () => {
    const status = await nodeReadyStatus();
    if (status === undefined) return undefined;
    return (want === 'True') === (status === 'True') ? true : undefined;
  }, timeoutMs, 1_000);
}

/**
 * Puts the cluster back as it was: every component continued, every missing one
 * restarted, the API answering and the node Ready. Safe to call when nothing broke.
 */
export async function restoreCluster(): Promise<void> {
  for (const name of COMPONENTS) continueComponent(name);
  await restartMissing();
  await waitFor('the API server to answer', async () => ((await apiserverReady()) ? true : undefined), 90_000, 500);
  await waitNodeReady('True', 120_000);
}

/**
 * Last resort when the test process ends while a component is stopped or dead
 * (a timeout, an uncaught error): synchronous, because 'exit' handlers cannot wait.
 */
export function installEmergencyRestore(): () => void {
  const handler = (): void => {
    for (const name of COMPONENTS) {
      try {
        continueComponent(name);
      } catch {
        // nothing more can be done from here
      }
    }
    if (COMPONENTS.some((name) => componentPid(name) === undefined)) {
      try {
        execFileSync('bash', [join(REPO_ROOT, 'cluster', 'up.sh')], { stdio: 'ignore', timeout: 240_000 });
      } catch {
        // reported by the next test run's global setup
      }
    }
  };
  process.on('exit', handler);
  return () => process.off('exit', handler);
}

/**
 * Fails unless an ancestor of this process holds the cluster lock (flock on
 * CLUSTER_LOCK, read from /proc/locks): this suite stops components others use.
 */
export function assertClusterLockHeld(): void {
  let inode: number;
  try {
    inode = statSync(CLUSTER_LOCK).ino;
  } catch {
    throw new Error(`the fault suite must run under the cluster lock: flock -o ${CLUSTER_LOCK} npx vitest run --project e2e test/e2e/faults.test.ts`);
  }
  const holders = readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1] === 'FLOCK' && f[3] === 'WRITE' && Number(f[5]?.split(':')[2]) === inode)
    .map((f) => Number(f[4]));
  const ancestors = new Set<number>();
  for (let pid = process.pid; pid > 1;) {
    ancestors.add(pid);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    pid = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
  }
  if (!holders.some((pid) => ancestors.has(pid))) {
    throw new Error(`the fault suite must run under the cluster lock (no ancestor holds ${CLUSTER_LOCK}): flock -o ${CLUSTER_LOCK} npx vitest run --project e2e test/e2e/faults.test.ts`);
  }
}

/** A key and a certificate for 127.0.0.1 signed by the cluster's CA, so the API server trusts a server of the test's. */
function localServingCert(): { key: string; cert: string; ca: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nsdebug-webhook-'));
  try {
    const pki = join(CLUSTER_STATE, 'pki');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=nsdebug-faults-webhook',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'csr.pem')], { stdio: 'ignore' });
    // -set_serial, not -CAcreateserial: nothing is written next to the cluster's CA.
    execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'csr.pem'), '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'),
      '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '1', '-extfile', join(dir, 'ext.cnf'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), ca: readFileSync(join(pki, 'ca.crt'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `body` while a validating admission webhook served by this process sees
 * every helper pod created in `namespace`: once armed, the first such create
 * calls `onCreate` (say, stop etcd) before the webhook allows it. So a test can
 * act at the very moment a create request is inside the API server.
 */
export async function withCreateHook<T>(namespace: string, onCreate: () => void, body: () => Promise<T>): Promise<T> {
  const { key, cert, ca } = localServingCert();
  let armed = false;
  let fired = false;
  let calls = 0;
  const server = createServer({ key, cert }, (req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      calls++;
      const review = JSON.parse(text) as { request: { uid: string; dryRun?: boolean } };
      if (armed && !fired && !review.request.dryRun) {
        fired = true;
        onCreate();
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const name = uniqueName('nsdebug-faults-create-hook');
  try {
    await applyManifest({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name, labels: { [E2E_LABEL.key]: E2E_LABEL.value } },
      webhooks: [{
        name: 'create-hook.faults.nsdebug.dev',
        clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: Buffer.from(ca).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        objectSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'kubectl-nsdebug' } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        // A test that dies leaves a webhook that only slows helper creates in its own namespace.
        failurePolicy: 'Ignore',
        timeoutSeconds: 10,
      }],
    });
    // The API server picks the configuration up within a second or so: wait until a dry run reaches us.
    const probe = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'hook-probe', namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-nsdebug' } },
      spec: { containers: [{ name: 'c', image: 'localhost/nsdebug/busybox:e2e' }] } });
    await waitFor('the create hook to be called', async () => {
      await kubectlResult(['create', '--dry-run=server', '-f', '-', '-o', 'name'], { input: probe, timeoutMs: 15_000 });
      return calls > 0 ? true : undefined;
    }, 30_000, 500);
    armed = true;
    return await body();
  } finally {
    server.close();
    await kubectl(['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found', '--request-timeout=20s'], { timeoutMs: 30_000 }).catch(() => {});
  }
}

/** A plugin run whose output can be watched while it runs. */
export interface Child {
  readonly process: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when `pattern` shows on the stream; rejects if the child exits first or at the timeout. */
  readonly waitFor: (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number) => Promise<void>;
  /** Resolves with the output and the exit status (null when a signal ended it) once the child has exited. */
  readonly exited: Promise<RunResult & { readonly signal: NodeJS.Signals | null; readonly at: number }>;
}

/** Starts `file args` (argv, no shell) with stdin closed; stdout and stderr are collected. */
export function startChild(file: string, args: readonly string[], env: NodeJS.ProcessEnv = kubeEnv()): Child {
  const child = spawn(file, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let done = false;
  const exited = new Promise<RunResult & { signal: NodeJS.Signals | null; at: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      resolve({ stdout: out, stderr: err, code, signal, at: Date.now() });
    });
  });
  exited.catch(() => {});
  const waitForOutput = async (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 90_000): Promise<void> => {
    const text = () => (stream === 'stdout' ? out : err);
    try {
      await waitFor(`${pattern} on ${stream}`, async () => (pattern.test(text()) || done ? true : undefined), timeoutMs, 50);
    } catch {
      throw new Error(`timed out waiting for ${pattern} on ${stream}; stderr so far:\n${err}`);
    }
    if (!pattern.test(text())) throw new Error(`the child exited (${child.exitCode ?? child.signalCode}) before ${pattern} showed on ${stream}; stderr:\n${err}`);
  };
  return { process: child, stdout: () => out, stderr: () => err, waitFor: waitForOutput, exited };
}

/** `kubectl nsdebug ARGS` as a watched child. */
export function startNsdebug(args: readonly string[], env?: NodeJS.ProcessEnv): Child {
  return startChild('kubectl', ['nsdebug', ...args], env);
}

/** Waits for a child to exit, killing it (SIGKILL) if it outlives `timeoutMs`; `hung` says whether it had to. */
export async function exitWithin(child: Child, timeoutMs: number): Promise<Awaited<Child['exited']> & { hung: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  let hung = false;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      hung = true;
      child.process.kill('SIGKILL');
      resolve();
    }, timeoutMs);
  });
  await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  return { ...(await child.exited), hung };
}

/**
 * Milliseconds from `since` (a Date.now() value: the fault, the kill, the
 * client's exit) until no helper pod of `targets` (any phase) exists, polled
 * every half second until `since + boundMs`; undefined when one still exists
 * then. A poll the API does not answer counts as "not yet".
 */
export async function msUntilNoHelper(targets: readonly string[], since: number, boundMs: number): Promise<number | undefined> {
  for (;;) {
    const pods = await helperPods(targets).catch(() => undefined);
    if (pods && pods.length === 0) return Date.now() - since;
    if (Date.now() - since > boundMs) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Helper pods of `targets` whose phase is Running or Pending (the helper still holds the node). */
export async function liveHelpers(targets: readonly string[]): Promise<string[]> {
  const result = await kubectlResult(['get', 'pods', '-A', '-l', 'app.kubernetes.io/managed-by=kubectl-nsdebug', '--request-timeout=5s', '-o',
    'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.status.phase} {.metadata.annotations.nsdebug\\.dev/target}{"\\n"}{end}']);
  if (result.code !== 0) throw new Error(`kubectl get pods: ${result.stderr.trim()}`);
  return result.stdout.split('\n').filter(Boolean).map((line) => line.split(' '))
    .filter(([, phase, target]) => (phase === 'Running' || phase === 'Pending') && targets.includes((target ?? '').split('/').pop() ?? ''))
    .map(([name]) => name!);
}

/** Like msUntilNoHelper, for helpers that still run (a finished pod object does not count). */
export async function msUntilNoLiveHelper(targets: readonly string[], since: number, boundMs: number): Promise<number | undefined> {
  for (;;) {
    const pods = await liveHelpers(targets).catch(() => undefined);
    if (pods && pods.length === 0) return Date.now() - since;
    if (Date.now() - since > boundMs) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

// --- what the user sees on stderr ---

/** A progress line (`nsdebug: <phase> (1.2s)`); notes are `nsdebug: <text>` without the time. */
const PROGRESS = /^nsdebug: .* \((\d+\.\ds|\d+s|\d+m\d\ds)\)$/;

export interface StderrReading {
  /** `error: ...` lines. */
  readonly errors: string[];
  /** `warning: ...` lines (the CLI prints them as `nsdebug: warning: ...`). */
  readonly warnings: string[];
  /** Lines that are neither progress, notes, warnings nor errors: raw output that reached the user. */
  readonly stray: string[];
  /** A JavaScript stack frame or a raw `Error:` dump. */
  readonly stackTrace: boolean;
  readonly internalError: boolean;
}

export function readStderr(stderr: string): StderrReading {
  const lines = stderr.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  return {
    errors: lines.filter((l) => l.startsWith('error: ')),
    warnings: lines.filter((l) => /^(nsdebug: )?warning: /.test(l)),
    stray: lines.filter((l) => !l.startsWith('error: ') && !l.startsWith('nsdebug: ') && !PROGRESS.test(l)),
    stackTrace: /^\s+at \S/m.test(stderr) || /^(\w*Error|Error \[\w+\]): /m.test(stderr) || /node:internal/.test(stderr),
    internalError: /internal error/i.test(stderr),
  };
}

// --- observations for the report (docs/design.md's fault table) ---

export interface Observation {
  readonly fault: string;
  readonly exit: number | string | null;
  readonly userSees: string;
  /** Milliseconds from the end of the fault (or the client's exit) until no helper remained; null: one remained at the bound. */
  readonly msUntilNoHelper: number | null;
  readonly boundMs: number;
  readonly note?: string;
}

/**
 * Prints what a case observed, before its assertions run (so a failing case
 * still reports what happened), and appends it to $NSDEBUG_FAULTS_REPORT (JSON lines) when set.
 */
export function observe(observation: Observation): void {
  const line = JSON.stringify(observation);
  console.log(`fault observed: ${line}`);
  if (process.env.NSDEBUG_FAULTS_REPORT) appendFileSync(process.env.NSDEBUG_FAULTS_REPORT, `${line}\n`);
}

/** The user-visible lines of stderr (progress dropped), for a report. */
export function visibleLines(stderr: string): string {
  return stderr.split('\n').map((l) => l.trimEnd()).filter((l) => l && !PROGRESS.test(l)).join(' | ').slice(0, 600);
}
