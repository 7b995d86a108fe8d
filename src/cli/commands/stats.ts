import { buildStatsArgv } from '../../agent/argv.js';
import { buildPodHelperRequest, withHelper } from '../../helper/handle.js';
import { podRecordTarget, withSessionRecord } from '../../helper/session-record.js';
import { resolveInspectPod } from '../../inspect/inspect-target.js';
import { parseStats, type Stats } from '../../inspect/stats-parse.js';
import { computeRates, type StatsRates } from '../../inspect/stats-rates.js';
import { renderStatsLine, renderStatsRates, renderStatsTable } from '../../inspect/stats-render.js';
import { buildPodTarget, planTarget, targetName } from '../../session/plan-target.js';
import { validateStatsOptions, type RawStatsArgs, type StatsOptions } from '../inspect-options.js';
import { runCommand } from '../runner.js';

const WATCH_INTERVAL_MS = 1000;

/** `kubectl nsdebug stats TARGET`: the cgroup's real limits and usage beside what /proc shows inside. */
export async function runStatsCommand(raw: RawStatsArgs): Promise<number> {
  const options = validateStatsOptions(raw, process.env);
  return runCommand(options, async (ctx) => {
    const { progress } = ctx;
    if (options.fanout) return (await import('./inspect-fanout.js')).runStatsFanout(ctx, { ...options, fanout: options.fanout });
    const pod = await resolveInspectPod(ctx.kube, options.target, progress);
    // The same choice as a session: -c, --sandbox, or the sandbox when the container is not running.
    const { target, notes } = planTarget(pod, options);
    for (const note of notes) progress.note(note);
    if (target.kind === 'sandbox' && target.fallback) progress.warn(`${target.fallback}; reading the pod sandbox (pause) instead`);
    const argv = buildStatsArgv({ podUid: pod.metadata!.uid!, target: buildPodTarget(target) });
    const name = targetName(target);
    const record = { mode: 'stats', target: podRecordTarget(pod, name), namespaces: [] };
    return withHelper(ctx, options, buildPodHelperRequest(pod, options.helperNamespace, { job: 'stats' }), (helper) => withSessionRecord(ctx.kube, progress, helper, record, async () => {
      const sample = async (): Promise<Stats> => parseStats(await helper.capture(argv), name);
      const first = await sample();
      const firstAt = Date.now();
      await progress.done(); // the live progress display leaves the terminal before our output
      if (!options.watch) {
        process.stdout.write(options.output === 'json' ? `${JSON.stringify(first, null, 2)}\n` : renderStatsTable(first));
        return 0;
      }
      return watchStats({ stats: first, at: firstAt }, sample, options);
    }));
  });
}

/**
 * One sample a second until Ctrl-C or a closed stdout (`| head`): either way the
 * runner's guard deletes the helper and exits (130, or 141 for the pipe).
 * A terminal gets the table redrawn in place; anything else one line (or one
 * JSON object with -o json) per sample.
 */
async function watchStats(first: { stats: Stats; at: number }, sample: () => Promise<Stats>, options: StatsOptions): Promise<number> {
  const interactive = process.stdout.isTTY === true && options.output === 'table';
  const live = interactive ? (await import('../../ui/render.js')).startLiveText(process.stdout) : undefined;
  try {
    let prev: { stats: Stats; at: number } | undefined;
    while (process.stdout.writable) {
      const started = Date.now();
      const stats = prev === undefined ? first.stats : await sample();
      const at = prev === undefined ? first.at : Date.now();
      const rates: StatsRates | null = prev === undefined ? null : computeRates(prev.stats, stats, (at - prev.at) / 1000);
      prev = { stats, at };
      if (options.output === 'json') {
        process.stdout.write(`${JSON.stringify({ time: new Date(at).toISOString(), ...stats, rates })}\n`);
      } else if (interactive) {
        live?.update(`${renderStatsTable(stats)}\n${renderStatsRates(rates)}\n(refreshing every second; Ctrl-C to stop and remove the helper)`);
      } else {
        process.stdout.write(`${renderStatsLine(stats, rates, new Date(at))}\n`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, WATCH_INTERVAL_MS - (Date.now() - started))));
    }
    return 0;
  } finally {
    await live?.stop();
  }
}
