// The API requests the plugin makes, as plain HTTPS calls. client-node's generated
// API classes carry a serializer for every Kubernetes type: importing one loads all
// of them (~900 KB of code, ~10 MB of heap, ~30 ms), for the dozen calls we make.
// The answers here are the server's JSON as is (timestamps stay strings; every
// reader already takes either). Authentication, TLS and proxies are still
// client-node's: each request takes its options from KubeConfig.applyToHTTPSOptions,
// the path the exec and the watch use (our credentials and the shared keep-alive
// agent plug in there).
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type * as k8s from '@kubernetes/client-node';

/** A refused request: the status code and the server's body, as client-node's ApiException has them. */
export interface ApiRefusal extends Error {
  readonly code: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

type Query = Readonly<Record<string, string | number | undefined>>;
type Named = { name: string; namespace: string };
type Everywhere = { labelSelector?: string; fieldSelector?: string; limit?: number; _continue?: string };
type Listed = Everywhere & { namespace: string };

/** One request: JSON in and out; a non-2xx answer rejects with an ApiRefusal. */
export async function callApi<T>(config: k8s.KubeConfig, method: string, path: string, query: Query = {}, body?: unknown, contentType = 'application/json'): Promise<T> {
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error('No active cluster!');
  const options: RequestOptions & { headers?: Record<string, unknown> } = {};
  await config.applyToHTTPSOptions(options);
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { ...options.headers, Accept: 'application/json', ...(payload !== undefined ? { 'Content-Type': contentType } : {}) };
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, { ...options, method, headers: headers as RequestOptions['headers'] }, resolve);
    req.on('error', reject);
    req.end(payload);
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const code = response.statusCode ?? 0;
  if (code < 200 || code > 299) {
    throw Object.assign(new Error(`HTTP-Code: ${code} Message: ${response.statusMessage ?? ''} Body: ${text}`), { code, body: text, headers: response.headers }) as ApiRefusal;
  }
  return (text ? JSON.parse(text) : {}) as T;
}

const ns = (namespace: string) => `/namespaces/${encodeURIComponent(namespace)}`;
const one = (name: string) => `/${encodeURIComponent(name)}`;
const page = (p: Everywhere): Query => ({ labelSelector: p.labelSelector, fieldSelector: p.fieldSelector, limit: p.limit, continue: p._continue });

/** The calls of core/v1 the plugin makes (the generated CoreV1Api's names and parameters). */
export function coreApi(config: k8s.KubeConfig) {
  const core = <T>(method: string, path: string, query?: Query, body?: unknown, contentType?: string) => callApi<T>(config, method, `/api/v1${path}`, query, body, contentType);
  return {
    readNamespacedPod: (p: Named) => core<k8s.V1Pod>('GET', `${ns(p.namespace)}/pods${one(p.name)}`),
    listNamespacedPod: (p: Listed) => core<k8s.V1PodList>('GET', `${ns(p.namespace)}/pods`, page(p)),
    listPodForAllNamespaces: (p: Everywhere = {}) => core<k8s.V1PodList>('GET', '/pods', page(p)),
    createNamespacedPod: (p: { namespace: string; body: k8s.V1Pod }) => core<k8s.V1Pod>('POST', `${ns(p.namespace)}/pods`, {}, p.body),
    /** A JSON patch (an array of operations), else a merge patch. */
    patchNamespacedPod: (p: Named & { body: unknown }) =>
      core<k8s.V1Pod>('PATCH', `${ns(p.namespace)}/pods${one(p.name)}`, {}, p.body, Array.isArray(p.body) ? 'application/json-patch+json' : 'application/merge-patch+json'),
    deleteNamespacedPod: (p: Named & { gracePeriodSeconds?: number }) => core<k8s.V1Pod>('DELETE', `${ns(p.namespace)}/pods${one(p.name)}`, { gracePeriodSeconds: p.gracePeriodSeconds }),
    readNode: (p: { name: string }) => core<k8s.V1Node>('GET', `/nodes${one(p.name)}`),
    listNode: () => core<k8s.V1NodeList>('GET', '/nodes'),
    listNamespace: () => core<k8s.V1NamespaceList>('GET', '/namespaces'),
    listNamespacedLimitRange: (p: { namespace: string }) => core<k8s.V1LimitRangeList>('GET', `${ns(p.namespace)}/limitranges`),
    createNamespacedEvent: (p: { namespace: string; body: k8s.CoreV1Event }) => core<k8s.CoreV1Event>('POST', `${ns(p.namespace)}/events`, {}, p.body),
  };
}

/** Read and list of one namespaced workload resource under /apis/GROUP/v1. */
function workload<One, List>(config: k8s.KubeConfig, group: string, resource: string) {
  const base = (namespace: string) => `/apis/${group}/v1${ns(namespace)}/${resource}`;
  return {
    read: (p: Named) => callApi<One>(config, 'GET', `${base(p.namespace)}${one(p.name)}`),
    list: (p: { namespace: string }) => callApi<List>(config, 'GET', base(p.namespace)),
  };
}

export function appsApi(config: k8s.KubeConfig) {
  const deployments = workload<k8s.V1Deployment, k8s.V1DeploymentList>(config, 'apps', 'deployments');
  const statefulSets = workload<k8s.V1StatefulSet, k8s.V1StatefulSetList>(config, 'apps', 'statefulsets');
  const daemonSets = workload<k8s.V1DaemonSet, k8s.V1DaemonSetList>(config, 'apps', 'daemonsets');
  const replicaSets = workload<k8s.V1ReplicaSet, k8s.V1ReplicaSetList>(config, 'apps', 'replicasets');
  return {
    readNamespacedDeployment: deployments.read,
    listNamespacedDeployment: deployments.list,
    readNamespacedStatefulSet: statefulSets.read,
    listNamespacedStatefulSet: statefulSets.list,
    readNamespacedDaemonSet: daemonSets.read,
    listNamespacedDaemonSet: daemonSets.list,
    readNamespacedReplicaSet: replicaSets.read,
    listNamespacedReplicaSet: replicaSets.list,
  };
}

export function batchApi(config: k8s.KubeConfig) {
  const jobs = workload<k8s.V1Job, k8s.V1JobList>(config, 'batch', 'jobs');
  return { readNamespacedJob: jobs.read, listNamespacedJob: jobs.list };
}

export function authorizationApi(config: k8s.KubeConfig) {
  return {
    createSelfSubjectAccessReview: (p: { body: k8s.V1SelfSubjectAccessReview }) =>
      callApi<k8s.V1SelfSubjectAccessReview>(config, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {}, p.body),
    createSelfSubjectRulesReview: (p: { body: k8s.V1SelfSubjectRulesReview }) =>
      callApi<k8s.V1SelfSubjectRulesReview>(config, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {}, p.body),
  };
}

export function authenticationApi(config: k8s.KubeConfig) {
  return {
    createSelfSubjectReview: (p: { body: k8s.V1SelfSubjectReview }) =>
      callApi<k8s.V1SelfSubjectReview>(config, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {}, p.body),
  };
}

export type CoreApi = ReturnType<typeof coreApi>;
export type AppsApi = ReturnType<typeof appsApi>;
export type BatchApi = ReturnType<typeof batchApi>;
export type AuthorizationApi = ReturnType<typeof authorizationApi>;
export type AuthenticationApi = ReturnType<typeof authenticationApi>;
