// Effects shared by `ns` and `stats`: resolve the target pod, and run one
// non-interactive agent mode in the helper with its stdout captured.
import { Writable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { AGENT_EXIT } from '../agent/argv.js';
import { UserError } from '../cli/errors.js';
import type { HelperRef } from '../helper/lifecycle.js';
import type { Progress } from '../helper/progress.js';
import { HELPER_CONTAINER } from '../helper/spec.js';
import type { Kube } from '../kube/client.js';
import { resolveEnterablePod } from '../kube/resolve-target.js';
import { formatTargetRef, type TargetRef } from '../kube/target-ref.js';
import { runExec } from '../session/exec.js';

/** The pod behind TARGET, checked to be on a Linux node and not finished. */
export async function resolveInspectPod(kube: Kube, target: TargetRef, progress: Progress): Promise<V1Pod> {
  if (target.kind === 'node') {
    throw new UserError(`${formatTargetRef(target)} is a node; ns and stats inspect a pod`, { hint: 'name a pod or a workload, for example pod/web' });
  }
  return resolveEnterablePod(kube, target, progress);
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs `argv` (an agent mode) in the helper; its stdout, or a one-line error naming the fix. */
export async function runAgentCapture(kube: Kube, helper: HelperRef, argv: readonly string[]): Promise<string> {
  const out = collector();
  const err = collector();
  const code = await runExec(kube, {
    namespace: helper.namespace,
    pod: helper.name,
    container: HELPER_CONTAINER,
    command: argv,
    stdin: false,
    tty: false,
    streams: { stdin: process.stdin, stdout: out.stream, stderr: err.stream },
  });
  if (code === 0) return out.text();
  const said = err.text().trim().split('\n').pop() ?? '';
  const mode = argv[2] ?? 'agent';
  if (code === AGENT_EXIT.notFound) {
    throw new UserError(`the helper found no process of the target on its node (${said || `exit ${code}`})`, {
      hint: 'the container may have just restarted or stopped: check kubectl get pod, then retry',
    });
  }
  throw new UserError(`the agent's ${mode} mode failed with exit ${code}${said ? `: ${said}` : ''}`, {
    hint: 'retry; if it persists, run with --keep and look at the helper with kubectl logs/describe',
  });
}
