// Runs one non-interactive agent mode in the helper with its stdout captured:
// shared by ns, stats, the picker's shared-with-node marks and the heartbeat.
import { Writable } from 'node:stream';
import { AGENT_EXIT } from '../agent/argv.js';
import { UserError } from '../base/errors.js';
import type { HelperRef } from '../helper/lifecycle.js';
import { HELPER_CONTAINER } from '../helper/spec.js';
import type { Kube } from '../kube/client.js';
import { runExec } from './exec.js';

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
