// The shared keep-alive agent: every request of one process gets the same agent
// (so idle connections are reused), a different TLS identity gets its own.
import { describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { shareAgents } from '../../src/kube/keep-alive.js';

function config(server: string, proxyUrl?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: false, ...(proxyUrl ? { proxyUrl } : {}) }],
    users: [{ name: 'u', token: 'secret' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function agentOf(kc: k8s.KubeConfig): Promise<unknown> {
  return (await kc.applyToFetchOptions({})).agent;
}

describe('shareAgents', () => {
  it('hands every request, watch and exec of a process one keep-alive agent per cluster', async () => {
    const kc = config('https://a.example:6443');
    const plain = await agentOf(kc);
    expect(await agentOf(kc)).not.toBe(plain); // client-node alone: a new agent (a new TLS connection) per request
    shareAgents(kc);
    const first = await agentOf(kc);
    expect(await agentOf(kc)).toBe(first);
    const wsOptions: { agent?: unknown } = {};
    await kc.applyToHTTPSOptions(wsOptions); // what exec's WebSocket uses
    expect(wsOptions.agent).toBe(first);
    expect((first as { keepAlive?: boolean }).keepAlive).toBe(true);
    // Another KubeConfig of the same process and cluster shares it too.
    const again = config('https://a.example:6443');
    shareAgents(again);
    expect(await agentOf(again)).toBe(first);
  });

  it('another cluster or proxy gets another agent', async () => {
    const a = config('https://a.example:6443');
    const b = config('https://b.example:6443');
    const viaProxy = config('https://a.example:6443', 'http://127.0.0.1:3128');
    for (const kc of [a, b, viaProxy]) shareAgents(kc);
    const agents = new Set([await agentOf(a), await agentOf(b), await agentOf(viaProxy)]);
    expect(agents.size).toBe(3);
  });
});
