import { buildStatsArgv } from '../../agent/argv.js';
import { ExitGuard } from '../../helper/exit-guard.js';
import { createCliProgress } from '../progress.js';
import { buildPodHelperRequest, withHelper } from '../../helper/run-helper.js';
import { resolveInspectPod } from '../../inspect/inspect-target.js';
import { runAgentCapture } from '../../session/run-agent.js';
import { parseStats, type Stats } from '../../inspect/stats-parse.js';
import { computeRates, type StatsRates } from '../../inspect/stats-rates.js';
import { renderStatsLine, renderStatsRates, renderStatsTable } from '../../inspect/stats-render.js';
import { createKube } from '../../kube/client.js';
import { planPodSession } from '../../kube/session-plan.js';
import { validateStatsOptions, type RawStatsArgs, type StatsOptions } from '../../inspect/inspect-options.js';

const WATCH_INTERVAL_MS = 1000;

/** `kubectl nsdebug stats TARGET`: the cgroup's real limits and usage beside what /proc shows inside. */
export async function runStatsCommand(raw: RawStatsArgs): Promise<number> {
  const options = validateStatsOptions(raw, process.env);
  const progress = createCliProgress(options.quiet);
  const guard = new ExitGuard().install();
  try {
    const kube = await createKube(options.kube);
    const pod = await resolveInspectPod(kube, options.target, progress);
    // The same choice as a session: -c, --sandbox, or the sandbox when the container is not running.
    const planned = planPodSession(pod, { container: options.container, sandbox: options.sandbox, namespaces: ['net'], namespacesExplicit: false, tools: 'helper' });
    for (const note of planned.notes) progress.note(note);
    for (const warning of planned.warnings) progress.warn(warning);
    const { plan } = planned;
    const argv = buildStatsArgv({
      podUid: pod.metadata!.uid!,
      target: plan.kind === 'container' ? { kind: 'container', containerId: plan.containerId } : { kind: 'sandbox', exclude: [...plan.excludeIds] },
    });
    const name = plan.kind === 'container' ? plan.container.name : 'sandbox';
    return await withHelper(
      buildPodHelperRequest(kube, options, pod, progress, guard),
      async (helper) => {
        const sample = async (): Promise<Stats> => parseStats(await runAgentCapture(kube, helper, argv), name);
        const first = await sample();
        const firstAt = Date.now();
        await progress.done(); // the live progress display leaves the terminal before our output
        if (!options.watch) {
          const stats = first;
          process.stdout.write(options.output === 'json' ? `${JSON.stringify(stats, null, 2)}\n` : renderStatsTable(stats));
          return 0;
        }
        return watchStats({ stats: first, at: firstAt }, sample, options);
      },
    );
  } finally {
    guard.uninstall();
  }
}

/**
 * One sample a second until Ctrl-C (the guard deletes the helper and exits
 * 130) or until stdout goes away (`| head`): then return, and withHelper deletes it.
 * A terminal gets the table redrawn in place; anything else one line (or one
 * JSON object with -o json) per sample.
 */
async function watchStats(first: { stats: Stats; at: number }, sample: () => Promise<Stats>, options: StatsOptions): Promise<number> {
  const interactive = process.stdout.isTTY === true && options.output === 'table';
  const live = interactive ? (await import('../../ui/render.js')).startLiveText(process.stdout) : undefined;
  let closed = false;
  const onError = (): void => {
    closed = true;
  };
  process.stdout.on('error', onError);
  try {
    let prev: { stats: Stats; at: number } | undefined;
    while (!closed) {
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
    process.stdout.off('error', onError);
  }
}
