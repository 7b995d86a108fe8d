import { ExitGuard } from '../../helper/exit-guard.js';
import { createCliProgress } from '../progress.js';
import { buildPodHelperRequest, withHelper } from '../../helper/run-helper.js';
import { buildPodNsArgv, resolveInspectPod } from '../../inspect/inspect-target.js';
import { runAgentCapture } from '../../session/run-agent.js';
import { parseNsDump } from '../../inspect/ns-parse.js';
import { buildNsReport, renderNsJson, renderNsTable, shouldColor } from '../../inspect/ns-render.js';
import { buildPodFacts } from '../../inspect/pod-facts.js';
import { createKube } from '../../kube/client.js';
import { validateNsOptions, type RawNsArgs } from '../../inspect/inspect-options.js';

/** `kubectl nsdebug ns TARGET`: which namespaces the pod's containers, sandbox and node share. */
export async function runNsCommand(raw: RawNsArgs): Promise<number> {
  const options = validateNsOptions(raw, process.env);
  const progress = createCliProgress(options.quiet);
  const guard = new ExitGuard().install();
  try {
    const kube = await createKube(options.kube);
    const pod = await resolveInspectPod(kube, options.target, progress);
    const argv = buildPodNsArgv(pod);
    const namespace = pod.metadata!.namespace!;
    const nodeName = pod.spec!.nodeName!;
    const dump = await withHelper(
      buildPodHelperRequest(kube, options, pod, progress, guard),
      async (helper) => {
        const text = await runAgentCapture(kube, helper, argv);
        await progress.done(); // the live progress display leaves the terminal before our output
        return text;
      },
    );
    const report = buildNsReport({ pod: pod.metadata!.name!, namespace, node: nodeName, entries: parseNsDump(dump), facts: buildPodFacts(pod) });
    process.stdout.write(options.output === 'json' ? renderNsJson(report) : renderNsTable(report, { color: shouldColor(process.stdout.isTTY, process.env) }));
    return 0;
  } finally {
    guard.uninstall();
  }
}
