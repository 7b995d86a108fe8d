// How the plugin authenticates, with client-go's rules, so one nsdebug run does no
// more credential work than one kubectl run:
// - exec plugins (client.authentication.k8s.io/v1, v1beta1) run at most once per
//   process while their credential is valid (no expirationTimestamp = the whole
//   process); parallel requests share one run; a 401 refreshes once (retry once);
// - tokenFile is re-read at most once a minute (projected tokens rotate), and on a 401;
// - client certificate, key and CA files are read once;
// - other auth providers (oidc) are serialised, so parallel requests share a refresh.
// client-node's own ExecAuth caches only credentials with an expiry and dedupes
// nothing; it ignores kubectl's tokenFile (its own 'token-file' it reads once, at load). Ours replace them on
// the KubeConfig instance, which every path (API clients, watches, exec) asks.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { oneLine, UserError } from '../base/errors.js';

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'] as const;
export type InteractiveMode = 'Never' | 'IfAvailable' | 'Always';

/** users[].exec from the kubeconfig, validated as clientcmd validates it. */
export interface ExecPlugin {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly apiVersion: (typeof EXEC_API_VERSIONS)[number];
  readonly installHint: string | undefined;
  readonly provideClusterInfo: boolean;
  readonly interactiveMode: InteractiveMode;
}

export interface ExecCredential {
  readonly token: string | undefined;
  readonly clientCertificateData: string | undefined;
  readonly clientKeyData: string | undefined;
  /** ms since the epoch; undefined = valid for the whole process. */
  readonly expiresAt: number | undefined;
}

/** What the plugin learns about the cluster with provideClusterInfo. */
export interface ExecClusterInfo {
  readonly server: string;
  readonly tlsServerName?: string | undefined;
  readonly insecureSkipTlsVerify?: boolean | undefined;
  /** PEM text, or undefined. */
  readonly certificateAuthorityData?: string | undefined;
  readonly proxyUrl?: string | undefined;
}

const HINT_KUBECONFIG = 'fix users[].exec in the kubeconfig (see kubectl config view)';

/** Pure: the kubeconfig's exec block as client-go reads it; a bad one is one line naming the fix. */
export function parseExecPlugin(exec: unknown, userName: string): ExecPlugin {
  const raw = (exec ?? {}) as Record<string, unknown>;
  const bad = (what: string) => new UserError(`the exec credential plugin of user "${userName}" ${what}`, { hint: HINT_KUBECONFIG });
  if (typeof raw.command !== 'string' || raw.command === '') throw bad('has no command');
  const apiVersion = raw.apiVersion;
  if (typeof apiVersion !== 'string' || apiVersion === '') throw bad('has no apiVersion');
  if (!(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw bad(`asks for apiVersion "${apiVersion}", which is not one of ${EXEC_API_VERSIONS.join(', ')}`);
  }
  let mode = raw.interactiveMode;
  // clientcmd: v1 must say; v1beta1 defaults to IfAvailable.
  if (mode === undefined || mode === '') {
    if (apiVersion === 'client.authentication.k8s.io/v1') throw bad('has no interactiveMode (v1 requires Never, IfAvailable or Always)');
    mode = 'IfAvailable';
  }
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') throw bad(`has interactiveMode "${String(mode)}", not Never, IfAvailable or Always`);
  const args = Array.isArray(raw.args) ? raw.args.map(String) : [];
  const env = Array.isArray(raw.env)
    ? raw.env.map((entry: unknown) => {
        const e = (entry ?? {}) as Record<string, unknown>;
        if (typeof e.name !== 'string' || e.name === '') throw bad('has an env entry without a name');
        return { name: e.name, value: typeof e.value === 'string' ? e.value : String(e.value ?? '') };
      })
    : [];
  return {
    command: raw.command,
    args,
    env,
    apiVersion: apiVersion as ExecPlugin['apiVersion'],
    installHint: typeof raw.installHint === 'string' && raw.installHint.trim() ? raw.installHint : undefined,
    provideClusterInfo: raw.provideClusterInfo === true,
    interactiveMode: mode,
  };
}

/**
 * Pure: client-go's choice. Never: no terminal. IfAvailable: the terminal when stdin
 * is one and nothing else reads it. Always: that, or an error (kubectl's words).
 */
export function decideInteractive(mode: InteractiveMode, stdinIsTerminal: boolean, stdinInUse: boolean): boolean {
  if (mode === 'Never') return false;
  if (mode === 'IfAvailable') return stdinIsTerminal && !stdinInUse;
  if (!stdinIsTerminal) throw new UserError('getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal', {
    hint: 'the kubeconfig\'s exec plugin has interactiveMode Always: run from a terminal, or log in first so it need not prompt',
  });
  if (stdinInUse) throw new UserError('getting credentials: exec plugin cannot support interactive mode: standard input is used by the session', {
    hint: 'log in again before the session (the plugin needs the terminal to prompt), then retry',
  });
  return true;
}

/** Pure: KUBERNETES_EXEC_INFO, the ExecCredential client-go hands the plugin. */
export function buildExecInfo(plugin: ExecPlugin, interactive: boolean, cluster: ExecClusterInfo | undefined): string {
  const spec: Record<string, unknown> = {};
  if (plugin.provideClusterInfo && cluster) {
    spec.cluster = {
      server: cluster.server,
      ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
      ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
      ...(cluster.certificateAuthorityData ? { 'certificate-authority-data': Buffer.from(cluster.certificateAuthorityData).toString('base64') } : {}),
      ...(cluster.proxyUrl ? { 'proxy-url': cluster.proxyUrl } : {}),
    };
  }
  spec.interactive = interactive;
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: plugin.apiVersion, spec });
}

/** Pure: our environment, then the kubeconfig's env entries, then KUBERNETES_EXEC_INFO. */
export function buildExecEnv(base: NodeJS.ProcessEnv, plugin: ExecPlugin, info: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const { name, value } of plugin.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = info;
  return env;
}

/** Pure: the plugin's stdout, checked as client-go checks it. */
export function parseExecCredential(stdout: string, plugin: ExecPlugin): ExecCredential {
  const fail = (what: string) => new UserError(`getting credentials: ${what}`, { hint: `check that "${plugin.command}" works on its own (it must print an ExecCredential)` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw fail('decoding stdout: the exec plugin did not print JSON');
  }
  const obj = (parsed ?? {}) as Record<string, unknown>;
  if (obj.kind !== 'ExecCredential' || obj.apiVersion !== plugin.apiVersion) {
    throw fail(`exec plugin is configured to use API version ${plugin.apiVersion}, plugin returned ${String(obj.kind)} version ${String(obj.apiVersion)}`);
  }
  const status = obj.status as Record<string, unknown> | undefined | null;
  if (!status || typeof status !== 'object') throw fail('exec plugin didn\'t return a status field');
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const token = str(status.token);
  const cert = str(status.clientCertificateData);
  const key = str(status.clientKeyData);
  if (!token && !cert && !key) throw fail('exec plugin didn\'t return a token or cert/key pair');
  if (!cert !== !key) throw fail('exec plugin returned only certificate or key, not both');
  let expiresAt: number | undefined;
  if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
    expiresAt = Date.parse(String(status.expirationTimestamp));
    if (Number.isNaN(expiresAt)) throw fail(`exec plugin returned an unreadable expirationTimestamp "${String(status.expirationTimestamp)}"`);
  }
  return { token, clientCertificateData: cert, clientKeyData: key, expiresAt };
}

/** Pure: client-go's rule, no leeway; no expiry means the whole process. */
export function isValid(credential: ExecCredential, now: number): boolean {
  return credential.expiresAt === undefined || now < credential.expiresAt;
}

/** The terminal, as the plugin's interactive mode sees it. */
export interface Terminal {
  isTerminal(): boolean;
  /** Something else (a session in raw mode, the picker) reads it now. */
  inUse(): boolean;
}

export const processTerminal: Terminal = {
  isTerminal: () => process.stdin.isTTY === true,
  // The session (takeTerminal) and Ink both put stdin in raw mode while they read it.
  inUse: () => process.stdin.isTTY === true && process.stdin.isRaw === true,
};

export type RunPlugin = (plugin: ExecPlugin, env: NodeJS.ProcessEnv, interactive: boolean) => Promise<string>;

/** Runs the plugin as client-go does: stdin only when interactive, its stderr on ours. */
export const runPlugin: RunPlugin = (plugin, env, interactive) =>
  new Promise((resolve, reject) => {
    const child = spawn(plugin.command, [...plugin.args], { env, stdio: [interactive ? 'inherit' : 'ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(new UserError(`getting credentials: exec: executable ${plugin.command} not found`, {
          hint: plugin.installHint ? oneLine(plugin.installHint) : 'install the kubeconfig user\'s credential plugin, or fix users[].exec.command',
        }));
      } else {
        reject(new UserError(`getting credentials: exec: cannot run ${plugin.command}: ${error.message}`, { hint: HINT_KUBECONFIG }));
      }
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else if (code !== null || signal) {
        reject(new UserError(`getting credentials: exec: executable ${plugin.command} failed with ${code !== null ? `exit code ${code}` : `signal ${signal}`}`, {
          hint: 'see its message above; log in again, or pick another --context/--user',
        }));
      }
    });
  });

/**
 * One exec plugin's credential for the process: at most one run in flight, the
 * result kept while valid. `generation` counts runs, so a 401 refreshes only the
 * credential that failed (parallel 401s share one refresh).
 */
export class ExecCredentialSource {
  private current: { credential: ExecCredential; generation: number } | undefined;
  private inFlight: Promise<ExecCredential> | undefined;
  private generation = 0;

  constructor(
    readonly plugin: ExecPlugin,
    private readonly cluster: ExecClusterInfo | undefined,
    private readonly deps: { run: RunPlugin; terminal: Terminal; env: NodeJS.ProcessEnv; now: () => number },
  ) {}

  /** The generation of the credential a request is about to use. */
  get seen(): number {
    return this.generation;
  }

  get(): Promise<ExecCredential> {
    if (this.current && isValid(this.current.credential, this.deps.now())) return Promise.resolve(this.current.credential);
    return this.refresh();
  }

  /** After a 401 with generation `seen`: one new run, unless one already replaced it. */
  async refreshAfter(seen: number): Promise<ExecCredential> {
    if (this.generation !== seen) return this.inFlight ?? this.get();
    return this.refresh();
  }

  private refresh(): Promise<ExecCredential> {
    this.inFlight ??= (async () => {
      try {
        const interactive = decideInteractive(this.plugin.interactiveMode, this.deps.terminal.isTerminal(), this.deps.terminal.inUse());
        const env = buildExecEnv(this.deps.env, this.plugin, buildExecInfo(this.plugin, interactive, this.cluster));
        const credential = parseExecCredential(await this.deps.run(this.plugin, env, interactive), this.plugin);
        this.generation++;
        this.current = { credential, generation: this.generation };
        return credential;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

/**
 * A token file, re-read at most once a minute (client-go's period: projected
 * service-account tokens rotate well before they expire) and after a 401.
 */
export class TokenFileSource {
  private token: string | undefined;
  private readAt = -Infinity;
  private generation = 0;

  constructor(readonly path: string, private readonly now: () => number = Date.now) {}

  get seen(): number {
    return this.generation;
  }

  get(): string {
    if (this.token === undefined || this.now() - this.readAt >= 60_000) this.read();
    return this.token!;
  }

  refreshAfter(seen: number): void {
    if (this.generation === seen) this.read();
  }

  private read(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8').trim();
    } catch (error) {
      // A rotation in progress: keep the last good token (client-go does).
      if (this.token !== undefined) return;
      throw new UserError(`cannot read the kubeconfig user's token file ${this.path}: ${(error as Error).message}`, { hint: 'fix users[].user.tokenFile in the kubeconfig', cause: error });
    }
    if (!text) {
      if (this.token !== undefined) return;
      throw new UserError(`the kubeconfig user's token file ${this.path} is empty`, { hint: 'fix users[].user.tokenFile in the kubeconfig' });
    }
    this.readAt = this.now();
    if (text !== this.token) this.generation++;
    this.token = text;
  }
}

/** client-node's per-instance authenticator list (private in its types). */
interface Authenticator {
  isAuthProvider(user: k8s.User): boolean;
  applyAuthentication(user: k8s.User, opts: { headers?: Record<string, unknown>; cert?: unknown; key?: unknown }): Promise<void>;
}

type Refreshable = { readonly seen: number; get(): unknown; refreshAfter(seen: number): unknown };

/** Per KubeConfig: what a 401 may refresh. */
const refreshers = new WeakMap<k8s.KubeConfig, Refreshable>();
const execSources = new WeakMap<k8s.KubeConfig, ExecCredentialSource>();

export interface CredentialOptions {
  /** users[].user.tokenFile by user name, from the raw kubeconfig (client-node ignores it; its own 'token-file' it reads once). */
  readonly tokenFiles?: ReadonlyMap<string, string>;
  readonly run?: RunPlugin;
  readonly terminal?: Terminal;
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => number;
  /** --as-group: sent on every request, whatever the auth kind. */
  readonly impersonateGroups?: readonly string[];
}

/**
 * Puts our authenticators on this KubeConfig for its current user. Call after
 * the context is final (--context, --user).
 */
export function installCredentials(config: k8s.KubeConfig, options: CredentialOptions = {}): void {
  const user = config.getCurrentUser();
  const cluster = config.getCurrentCluster();
  if (!user) return;
  const groups = options.impersonateGroups ?? [];
  if (groups.length > 0 && !user.impersonateUser) {
    throw new UserError('--as-group needs a user to impersonate', { hint: 'add --as USER (the API server impersonates groups only together with a user)' });
  }
  const mutable = user as { -readonly [K in keyof k8s.User]: k8s.User[K] };
  readFilesOnce(user, cluster);
  const list = (config as unknown as { authenticators: Authenticator[] }).authenticators;
  const ours: Authenticator[] = [];

  const exec = user.exec ?? (user.authProvider as { config?: { exec?: unknown } } | undefined)?.config?.exec;
  if (exec && !user.token) {
    const plugin = parseExecPlugin(exec, user.name);
    const source = new ExecCredentialSource(
      plugin,
      cluster
        ? {
            server: cluster.server,
            tlsServerName: cluster.tlsServerName,
            insecureSkipTlsVerify: cluster.skipTLSVerify,
            certificateAuthorityData: cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : undefined,
            proxyUrl: cluster.proxyUrl,
          }
        : undefined,
      { run: options.run ?? runPlugin, terminal: options.terminal ?? processTerminal, env: options.env ?? process.env, now: options.now ?? Date.now },
    );
    execSources.set(config, source);
    refreshers.set(config, source);
    ours.push({
      isAuthProvider: (u) => u === user,
      applyAuthentication: async (_u, opts) => {
        const credential = await source.get();
        if (credential.clientCertificateData) opts.cert = credential.clientCertificateData;
        if (credential.clientKeyData) opts.key = credential.clientKeyData;
        if (credential.token) (opts.headers ??= {}).Authorization = `Bearer ${credential.token}`;
      },
    });
  } else {
    const tokenFile = options.tokenFiles?.get(user.name);
    if (tokenFile) {
      // The file wins over client-node's one read at load (client-go: the last read wins).
      const source = new TokenFileSource(tokenFile, options.now);
      refreshers.set(config, source);
      mutable.token = undefined;
      ours.push({
        isAuthProvider: (u) => u === user,
        applyAuthentication: async (_u, opts) => {
          (opts.headers ??= {}).Authorization = `Bearer ${source.get()}`;
        },
      });
    }
  }
  // Whatever else client-node does (oidc, azure, gcp): one call at a time, so
  // parallel requests share a refresh instead of each running their own.
  const serialised = list.map((auth): Authenticator => {
    let chain: Promise<unknown> = Promise.resolve();
    return {
      isAuthProvider: (u) => auth.isAuthProvider(u),
      applyAuthentication: (u, opts) => {
        const next = chain.then(() => auth.applyAuthentication(u, opts));
        chain = next.catch(() => {});
        return next;
      },
    };
  });
  // client-node applies only the first authenticator that claims the user, and none
  // for a plain token or certificate: the groups go on through each, and a last catch-all.
  const all = [...ours, ...serialised, ...(groups.length > 0 ? [{ isAuthProvider: () => true, applyAuthentication: async () => {} }] : [])];
  const withGroups = all.map((auth): Authenticator => groups.length === 0 ? auth : {
    isAuthProvider: (u) => auth.isAuthProvider(u),
    applyAuthentication: async (u, opts) => {
      await auth.applyAuthentication(u, opts);
      (opts.headers ??= {})['Impersonate-Group'] = groups.length === 1 ? groups[0] : [...groups];
    },
  });
  list.splice(0, list.length, ...withGroups);
}

/** Reads client certificate, key and CA files once (client-node would read them for every request). */
function readFilesOnce(user: k8s.User, cluster: k8s.Cluster | null): void {
  const read = (file: string, what: string, fix: string) => {
    try {
      return readFileSync(file).toString('base64');
    } catch (error) {
      throw new UserError(`cannot read the kubeconfig's ${what} ${file}: ${(error as Error).message}`, { hint: `fix ${fix} in the kubeconfig`, cause: error });
    }
  };
  const u = user as { certFile?: string | undefined; certData?: string | undefined; keyFile?: string | undefined; keyData?: string | undefined };
  if (u.certFile) {
    u.certData = read(u.certFile, 'client certificate', 'users[].user.client-certificate');
    u.certFile = undefined;
  }
  if (u.keyFile) {
    u.keyData = read(u.keyFile, 'client key', 'users[].user.client-key');
    u.keyFile = undefined;
  }
  const c = cluster as { caFile?: string | undefined; caData?: string | undefined } | null;
  if (c?.caFile) {
    c.caData = read(c.caFile, 'certificate authority', 'clusters[].cluster.certificate-authority');
    c.caFile = undefined;
  }
}

/**
 * When the credential is interactive, runs the plugin now, while the terminal is
 * still free: before the picker or a session takes it, so the prompt is seen and
 * its answer is not eaten.
 */
export async function prepareCredentials(config: k8s.KubeConfig, terminal: Terminal = processTerminal): Promise<void> {
  const source = execSources.get(config);
  if (!source || source.plugin.interactiveMode === 'Never') return;
  if (source.plugin.interactiveMode === 'IfAvailable' && !terminal.isTerminal()) return;
  await source.get();
}

export function isUnauthorized(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (e?.code === 401 || e?.statusCode === 401) return true;
  // ws refusing the exec upgrade
  return typeof e?.message === 'string' && /Unexpected server response: 401\b/.test(e.message);
}

/**
 * Runs `call`; on a 401, refreshes the credential once (shared with any parallel
 * 401) and runs it once more. A 401 means the request was never processed, so the
 * retry is safe for every verb. Never a loop: the second answer is final.
 */
export async function withCredentialRetry<T>(config: k8s.KubeConfig, call: () => Promise<T>): Promise<T> {
  const source = refreshers.get(config);
  if (!source) return call();
  // The credential the call will use, so a 401 refreshes exactly that one.
  await source.get();
  const seen = source.seen;
  try {
    return await call();
  } catch (error) {
    if (!isUnauthorized(error)) throw error;
    await source.refreshAfter(seen);
    return call();
  }
}

/** Pure: users[].user.tokenFile (kubectl's field; client-node's 'token-file' too) by user name, first file first (kubectl's merge), relative to its file. */
export function findTokenFiles(kubeconfigs: ReadonlyArray<{ path: string; parsed: unknown }>): Map<string, string> {
  const found = new Map<string, string>();
  for (const { path, parsed } of kubeconfigs) {
    const users = (parsed as { users?: unknown } | null)?.users;
    if (!Array.isArray(users)) continue;
    for (const entry of users as Array<{ name?: unknown; user?: Record<string, unknown> }>) {
      const file = entry?.user?.['token-file'] ?? entry?.user?.tokenFile;
      if (typeof entry?.name !== 'string' || typeof file !== 'string' || !file || found.has(entry.name)) continue;
      found.set(entry.name, isAbsolute(file) ? file : join(dirname(path), file));
    }
  }
  return found;
}

