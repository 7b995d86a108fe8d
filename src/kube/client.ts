import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { UserError, oneLine } from '../base/errors.js';
import { findTokenFiles, installCredentials, prepareCredentials } from './credentials.js';
import { shareAgents } from './keep-alive.js';
import type * as KubeLib from './lib.js';
import { appsApi, authenticationApi, authorizationApi, batchApi, coreApi, type AppsApi, type AuthenticationApi, type AuthorizationApi, type BatchApi, type CoreApi } from './rest.js';

/** kubectl's global flags, which the plugin re-implements because kubectl passes them through. */
export interface KubeFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly cluster?: string | undefined;
  readonly user?: string | undefined;
  readonly as?: string | undefined;
  readonly asGroups?: readonly string[] | undefined;
  readonly namespace?: string | undefined;
  readonly requestTimeoutSeconds?: number | undefined;
}

/** Everything that talks to the API server, built once per invocation. */
export interface Kube {
  readonly lib: typeof KubeLib;
  readonly config: k8s.KubeConfig;
  readonly core: CoreApi;
  readonly apps: AppsApi;
  readonly batch: BatchApi;
  readonly authz: AuthorizationApi;
  readonly authn: AuthenticationApi;
  /** The namespace from -n, else the context's, else "default". */
  readonly namespace: string;
  /** The namespace kubectl uses without -n: the context's, else "default". */
  readonly contextNamespace: string;
  readonly server: string;
  /** Bounds one API request, like kubectl's --request-timeout (0 = none). */
  readonly requestTimeoutMs: number;
}

/** Which kubeconfig files would be read, so a missing one is an error and not client-node's silent localhost:8080. */
export function findKubeconfigFiles(flags: KubeFlags, env: NodeJS.ProcessEnv = process.env): string[] {
  if (flags.kubeconfig) return [flags.kubeconfig];
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (fromEnv.length > 0) return fromEnv;
  return [join(env.HOME || homedir(), '.kube', 'config')];
}

export async function createKube(flags: KubeFlags): Promise<Kube> {
  const lib = await import('./lib.js');
  const config = new lib.KubeConfig();
  loadConfig(lib, config, flags);
  applyOverrides(config, flags);
  shareAgents(config);
  installCredentials(config, { tokenFiles: readTokenFiles(lib, flags), impersonateGroups: flags.asGroups ?? [] });
  // An interactive plugin prompts now, before the picker or a session takes the terminal.
  await prepareCredentials(config);

  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new UserError('the kubeconfig has no cluster for the current context', {
      hint: 'pick one with --context or kubectl config use-context',
    });
  }
  // client-node refuses plain HTTP deep inside the first request; say it up front.
  if (/^http:\/\//i.test(cluster.server) && !cluster.skipTLSVerify) {
    throw new UserError(`the kubeconfig's server ${cluster.server} is plain http://, which nsdebug does not use`, {
      hint: 'point the cluster at the API server\'s https:// address (kubectl config set-cluster NAME --server=https://...)',
    });
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return {
    lib,
    config,
    core: coreApi(config),
    apps: appsApi(config),
    batch: batchApi(config),
    authz: authorizationApi(config),
    authn: authenticationApi(config),
    namespace: flags.namespace || contextNamespace || 'default',
    contextNamespace: contextNamespace || 'default',
    server: cluster.server,
    requestTimeoutMs: Math.round((flags.requestTimeoutSeconds ?? 0) * 1000),
  };
}

function loadConfig(lib: typeof KubeLib, config: k8s.KubeConfig, flags: KubeFlags): void {
  const files = findKubeconfigFiles(flags);
  const existing = files.filter((file) => existsSync(file));
  if (existing.length === 0) {
    const inCluster = existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
    if (inCluster && !flags.kubeconfig) {
      config.loadFromCluster();
      return;
    }
    throw new UserError(`no kubeconfig found (looked for ${files.join(', ')})`, {
      hint: 'point --kubeconfig or KUBECONFIG at one, or create ~/.kube/config',
    });
  }
  try {
    config.loadFromFile(existing[0]!);
    for (const file of existing.slice(1)) {
      const more = new lib.KubeConfig();
      more.loadFromFile(file);
      config.mergeConfig(more);
    }
  } catch (error) {
    throw new UserError(`cannot read kubeconfig ${existing.join(', ')}: ${oneLine((error as Error).message)}`, {
      hint: 'check the file with kubectl config view',
      cause: error,
    });
  }
}

/** users[].user.tokenFile by user name, from the files themselves: client-node does not keep it. */
function readTokenFiles(lib: typeof KubeLib, flags: KubeFlags): Map<string, string> {
  const files = findKubeconfigFiles(flags).filter((file) => existsSync(file));
  return findTokenFiles(files.map((path) => ({ path, parsed: lib.loadYaml(readFileSync(path, 'utf8')) })));
}

function applyOverrides(config: k8s.KubeConfig, flags: KubeFlags): void {
  if (flags.context) {
    if (!config.getContextObject(flags.context)) {
      const known = config.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new UserError(`context "${flags.context}" is not in the kubeconfig`, { hint: `known contexts: ${known}` });
    }
    config.setCurrentContext(flags.context);
  }
  if (flags.cluster || flags.user) {
    const current = config.getContextObject(config.getCurrentContext());
    if (flags.cluster && !config.getCluster(flags.cluster)) {
      throw new UserError(`cluster "${flags.cluster}" is not in the kubeconfig`, { hint: 'see kubectl config get-clusters' });
    }
    if (flags.user && !config.getUser(flags.user)) {
      throw new UserError(`user "${flags.user}" is not in the kubeconfig`, { hint: 'see kubectl config get-users' });
    }
    const name = 'nsdebug-override';
    config.addContext({
      name,
      cluster: flags.cluster ?? current?.cluster ?? '',
      user: flags.user ?? current?.user ?? '',
      ...(current?.namespace ? { namespace: current.namespace } : {}),
    });
    config.setCurrentContext(name);
  }
  if (flags.as) {
    const user = config.getCurrentUser();
    if (user) Object.assign(user, { impersonateUser: flags.as });
  }
}
