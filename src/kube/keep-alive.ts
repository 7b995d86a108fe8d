// One keep-alive agent per process for every API request, watch and exec.
// client-node (1.4) builds a new agent, so a new TCP+TLS connection (and through a
// proxy-url a new CONNECT tunnel), for every request: a session paid for ~11
// handshakes where kubectl pays 3. Sharing one agent per cluster and TLS identity
// lets requests reuse idle connections; an exec's WebSocket takes its socket for
// itself (an upgraded socket leaves the pool), so it costs one connection, as in kubectl.
import type { Agent } from 'node:http';
import { createHash } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';

type AgentFactory = (cluster: k8s.Cluster | null, options: Record<string, unknown>) => Agent;

const agents = new Map<string, Agent>();

/** What makes two agents different: where they connect and who they are on TLS. */
function agentKey(cluster: k8s.Cluster | null, options: Record<string, unknown>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([cluster?.server, cluster?.proxyUrl, cluster?.tlsServerName, cluster?.skipTLSVerify]));
  for (const field of ['ca', 'cert', 'key', 'pfx', 'passphrase', 'servername', 'rejectUnauthorized', 'timeout']) {
    const value = options[field];
    hash.update(`\0${field}=`);
    if (value !== undefined) hash.update(Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }
  return hash.digest('hex');
}

/**
 * Makes `config` hand out one shared keep-alive agent per cluster and TLS identity
 * (a rotated client certificate gets a new one). Idle pooled sockets are unref'd
 * by Node's agent, so they never keep the process alive. Relies on client-node's
 * `createAgent` seam (test/unit/keep-alive.test.ts fails if it moves).
 */
export function shareAgents(config: k8s.KubeConfig): void {
  const target = config as unknown as { createAgent: AgentFactory };
  const original = target.createAgent.bind(config);
  target.createAgent = (cluster, options) => {
    const key = agentKey(cluster, options);
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
}
