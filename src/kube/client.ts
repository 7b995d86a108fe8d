import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { UserError } from '../base/errors.js';

/** kubectl's global flags, which the plugin re-implements because kubectl passes them through. */
export interface KubeFlags {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly cluster?: string | undefined;
  readonly user?: string | undefined;
  readonly as?: string | undefined;
  readonly namespace?: string | undefined;
  readonly requestTimeoutSeconds?: number | undefined;
}

/** Everything that talks to the API server, built once per invocation. */
export interface Kube {
  readonly lib: typeof k8s;
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
  readonly batch: k8s.BatchV1Api;
  readonly authz: k8s.AuthorizationV1Api;
  readonly authn: k8s.AuthenticationV1Api;
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
  const lib = await import('@kubernetes/client-node');
  const config = new lib.KubeConfig();
  loadConfig(lib, config, flags);
  applyOverrides(config, flags);

  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new UserError('the kubeconfig has no cluster for the current context', {
      hint: 'pick one with --context or kubectl config use-context',
    });
  }
  const contextNamespace = config.getContextObject(config.getCurrentContext())?.namespace;
  return {
    lib,
    config,
    core: config.makeApiClient(lib.CoreV1Api),
    apps: config.makeApiClient(lib.AppsV1Api),
    batch: config.makeApiClient(lib.BatchV1Api),
    authz: config.makeApiClient(lib.AuthorizationV1Api),
    authn: config.makeApiClient(lib.AuthenticationV1Api),
    namespace: flags.namespace || contextNamespace || 'default',
    contextNamespace: contextNamespace || 'default',
    server: cluster.server,
    requestTimeoutMs: Math.round((flags.requestTimeoutSeconds ?? 0) * 1000),
  };
}

function loadConfig(lib: typeof k8s, config: k8s.KubeConfig, flags: KubeFlags): void {
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
    throw new UserError(`cannot read kubeconfig ${existing.join(', ')}: ${(error as Error).message}`, {
      hint: 'check the file with kubectl config view',
      cause: error,
    });
  }
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
