// kube/rest.ts against a real local HTTP server: the paths, query, body and
// headers each call sends, and a refusal's shape (what api-errors.ts reads).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { describeApiError, isNotFound } from '../../src/kube/api-errors.js';
import { appsApi, authorizationApi, batchApi, coreApi } from '../../src/kube/rest.js';

interface Seen { method: string; url: string; headers: IncomingHttpHeaders; body: string }
let server: Server;
let base: string;
const seen: Seen[] = [];
let answer: { code: number; body: string } = { code: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(answer.code, { 'Content-Type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function config(server: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    // plain http is allowed by client-node only with skipTLSVerify (createKube refuses it for users)
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret', impersonateUser: 'alice' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

function last(): Seen {
  return seen.at(-1)!;
}

describe('kube/rest', () => {
  it('sends each call to its path, with the query, the JSON body and the kubeconfig\'s credentials', async () => {
    answer = { code: 200, body: '{"items":[{"metadata":{"name":"p","creationTimestamp":"2026-01-01T00:00:00Z"}}]}' };
    const core = coreApi(config(base));
    const list = await core.listNamespacedPod({ namespace: 'n s', labelSelector: 'a=b,c!=d', limit: 5, _continue: 'tok' });
    expect(list.items[0]!.metadata!.creationTimestamp).toBe('2026-01-01T00:00:00Z'); // the server's JSON as is
    expect(last().method).toBe('GET');
    expect(last().url).toBe('/api/v1/namespaces/n%20s/pods?labelSelector=a%3Db%2Cc%21%3Dd&limit=5&continue=tok');
    expect(last().headers.authorization).toBe('Bearer secret');
    expect(last().headers['impersonate-user']).toBe('alice');

    await core.deleteNamespacedPod({ name: 'h', namespace: 'd', gracePeriodSeconds: 0 });
    expect([last().method, last().url]).toEqual(['DELETE', '/api/v1/namespaces/d/pods/h?gracePeriodSeconds=0']);

    await core.createNamespacedPod({ namespace: 'd', body: { metadata: { name: 'x' } } });
    expect([last().method, last().url, last().headers['content-type'], JSON.parse(last().body)]).toEqual(['POST', '/api/v1/namespaces/d/pods', 'application/json', { metadata: { name: 'x' } }]);

    await core.patchNamespacedPod({ name: 'h', namespace: 'd', body: [{ op: 'remove', path: '/metadata/annotations/a' }] });
    expect([last().method, last().url, last().headers['content-type']]).toEqual(['PATCH', '/api/v1/namespaces/d/pods/h', 'application/json-patch+json']);
    await core.patchNamespacedPod({ name: 'h', namespace: 'd', body: { metadata: { labels: { a: 'b' } } } });
    expect(last().headers['content-type']).toBe('application/merge-patch+json');

    await core.listPodForAllNamespaces({});
    expect(last().url).toBe('/api/v1/pods');
    await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1' });
    expect(last().url).toBe('/api/v1/pods?fieldSelector=spec.nodeName%3Dn1');
    await appsApi(config(base)).readNamespacedStatefulSet({ name: 'db', namespace: 'd' });
    expect(last().url).toBe('/apis/apps/v1/namespaces/d/statefulsets/db');
    await batchApi(config(base)).listNamespacedJob({ namespace: 'd' });
    expect(last().url).toBe('/apis/batch/v1/namespaces/d/jobs');
    await authorizationApi(config(base)).createSelfSubjectAccessReview({ body: { spec: {} } });
    expect([last().method, last().url]).toEqual(['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews']);
  });

  it('keeps a path prefix in the server URL (a cluster behind a proxy path)', async () => {
    await coreApi(config(`${base}/k8s/clusters/c-1/`)).readNode({ name: 'n1' });
    expect(last().url).toBe('/k8s/clusters/c-1/api/v1/nodes/n1');
  });

  it('rejects a non-2xx answer with its code and body, which the diagnosis reads', async () => {
    answer = { code: 404, body: '{"kind":"Status","reason":"NotFound","message":"pods \\"p\\" not found"}' };
    const error = await coreApi(config(base)).readNamespacedPod({ name: 'p', namespace: 'd' }).catch((e: unknown) => e);
    expect(isNotFound(error)).toBe(true);
    answer = { code: 403, body: '{"kind":"Status","reason":"Forbidden","message":"pods is forbidden: User \\"bob\\" cannot list resource \\"pods\\""}' };
    const forbidden = await coreApi(config(base)).listNamespacedPod({ namespace: 'd' }).catch((e: unknown) => e);
    expect(describeApiError(forbidden, { verb: 'list', resource: 'pods', namespace: 'd' }, base).message).toMatch(/^RBAC forbids list pods in namespace "d": pods is forbidden/);
  });

  it('a server that is not there is a network error the diagnosis names', async () => {
    const error = await coreApi(config('http://127.0.0.1:1')).listNode().catch((e: unknown) => e);
    expect(describeApiError(error, { verb: 'list', resource: 'nodes' }, 'http://127.0.0.1:1').message).toMatch(/cannot reach the API server at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });
});
