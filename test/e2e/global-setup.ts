// Runs once before the e2e project: proves the local cluster answers, then
// sets the environment every e2e test (and the plugin they run) inherits.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { E2E_IMAGE, KUBECONFIG_PATH, NODE_NAME, REPO_ROOT, run } from './helpers/cluster.js';

export default async function setup(): Promise<void> {
  if (!existsSync(KUBECONFIG_PATH)) {
    throw new Error(`no local cluster: ${KUBECONFIG_PATH} is missing; run npm run cluster:up`);
  }
  const env = { ...process.env, KUBECONFIG: KUBECONFIG_PATH };
  const ready = await run('kubectl', ['get', 'node', NODE_NAME, '--request-timeout=10s', '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { env, timeoutMs: 15_000 });
  if (ready.code !== 0 || ready.stdout.trim() !== 'True') {
    const why = ready.code !== 0 ? ready.stderr.trim().split('\n').pop() : `node ${NODE_NAME} is not Ready`;
    throw new Error(`the local cluster does not answer (${why}); run npm run cluster:up`);
  }
  process.env.KUBECONFIG = KUBECONFIG_PATH;
  process.env.PATH = [join(REPO_ROOT, 'plugin'), process.env.PATH ?? ''].join(delimiter);
  process.env.NSDEBUG_IMAGE = E2E_IMAGE;
}
