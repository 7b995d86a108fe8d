// `kubectl nsdebug diff pod/NAME [-c C]`: what the container changed since it
// started, read from its overlay upper layer by the agent's diff mode.
import { buildDiffArgv } from '../../agent/argv.js';
import { UserError } from '../../base/errors.js';
import { buildPodHelperRequest, withHelper } from '../../helper/handle.js';
import { resolveInspectPod } from '../../inspect/inspect-target.js';
import { planTarget } from '../../session/plan-target.js';
import { validateDiffOptions, type RawDiffArgs } from '../cp-options.js';
import { runCommand } from '../runner.js';
import { parseDiff, renderDiff } from '../../inspect/diff-parse.js';


export async function runDiffCommand(raw: RawDiffArgs): Promise<number> {
  const options = validateDiffOptions(raw, process.env);
  return runCommand(options, async (ctx) => {
    const pod = await resolveInspectPod(ctx.kube, options.target, ctx.progress);
    const { target, notes } = planTarget(pod, { container: options.container, sandbox: false });
    for (const note of notes) ctx.progress.note(note);
    if (target.kind !== 'container') throw new UserError(`diff needs a running container: ${target.fallback ?? 'none is running'}`, { hint: 'name a running one with -c' });
    const text = await withHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, { job: 'diff' }), async (helper) => {
      const out = await helper.capture(buildDiffArgv({ podUid: pod.metadata!.uid!, containerId: target.containerId }));
      await ctx.progress.done();
      return out;
    });
    const entries = parseDiff(text);
    process.stdout.write(options.output === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : renderDiff(entries));
    return 0;
  });
}
