import { buildPodHelperRequest, withHelper } from '../../helper/handle.js';
import { podRecordTarget, withSessionRecord } from '../../helper/session-record.js';
import { buildPodNsArgv, resolveInspectPod } from '../../inspect/inspect-target.js';
import { parseNsDump } from '../../inspect/ns-parse.js';
import { buildNsReport, renderNsJson, renderNsTable, shouldColor } from '../../inspect/ns-render.js';
import { buildPodFacts } from '../../inspect/pod-facts.js';
import { validateNsOptions, type RawNsArgs } from '../inspect-options.js';
import { runCommand } from '../runner.js';

/** `kubectl nsdebug ns TARGET`: which namespaces the pod's containers, sandbox and node share. */
export async function runNsCommand(raw: RawNsArgs): Promise<number> {
  const options = validateNsOptions(raw, process.env);
  return runCommand(options, async (ctx) => {
    if (options.fanout) return (await import('./inspect-fanout.js')).runNsFanout(ctx, { ...options, fanout: options.fanout });
    const pod = await resolveInspectPod(ctx.kube, options.target, ctx.progress);
    const dump = await withHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, { job: 'ns' }), (helper) =>
      withSessionRecord(ctx.kube, ctx.progress, helper, { mode: 'ns', target: podRecordTarget(pod), namespaces: [] }, async () => {
        const text = await helper.capture(buildPodNsArgv(pod));
        await ctx.progress.done(); // the live progress display leaves the terminal before our output
        return text;
      }),
    );
    const report = buildNsReport({ pod: pod.metadata!.name!, namespace: pod.metadata!.namespace!, node: pod.spec!.nodeName!, entries: parseNsDump(dump), facts: buildPodFacts(pod) });
    process.stdout.write(options.output === 'json' ? renderNsJson(report) : renderNsTable(report, { color: shouldColor(process.stdout.isTTY, process.env) }));
    return 0;
  });
}
