// `ns` and `stats` over every pod of a workload (--all-pods, -l): one helper per
// node (the fan-out's), one capture per pod; a pod that fails shows its error
// and makes the exit status non-zero, the others still print.
import { buildStatsArgv } from '../../agent/argv.js';
import { buildPodNsArgv } from '../../inspect/inspect-target.js';
import { parseNsDump } from '../../inspect/ns-parse.js';
import { buildNsReport, renderNsTable, shouldColor, type NsReport } from '../../inspect/ns-render.js';
import { buildPodFacts } from '../../inspect/pod-facts.js';
import { parseStats } from '../../inspect/stats-parse.js';
import { renderFleetStatsJson, renderFleetStatsTable, type FleetStatsRow } from '../../inspect/stats-fleet.js';
import { visibleText } from '../../session/fanout.js';
import { buildPodTarget, planTarget, targetName } from '../../session/plan-target.js';
import type { FanoutSelection } from '../fanout-options.js';
import type { NsOptions, StatsOptions } from '../inspect-options.js';
import type { CommandContext } from '../runner.js';
import { podErrorText, withNodeHelpers } from './fanout.js';

type Outcome<T> = { readonly pod: string; readonly node: string; readonly value?: T; readonly error?: string };

/** The stderr summary and exit status of an inspection over several pods. */
function finish(outcomes: readonly Outcome<unknown>[], skipped: readonly { pod: string }[]): number {
  const failed = outcomes.filter((o) => o.error !== undefined);
  if (failed.length || skipped.length) {
    const parts = [`${outcomes.length - failed.length} of ${outcomes.length} pods inspected`];
    if (failed.length) parts.push(`failed: ${failed.map((o) => visibleText(o.pod)).join(', ')}`);
    if (skipped.length) parts.push(`skipped: ${skipped.map((s) => visibleText(s.pod)).join(', ')}`);
    process.stderr.write(`nsdebug: ${parts.join('; ')}\n`);
  }
  return failed.length ? 1 : 0;
}

export async function runNsFanout(ctx: CommandContext, options: NsOptions & { fanout: FanoutSelection }): Promise<number> {
  const { plan, results } = await withNodeHelpers(ctx, options, options.fanout, () => ({ job: 'ns' }), async (pod, helper): Promise<Outcome<NsReport>> => {
    const base = { pod: pod.metadata!.name!, node: pod.spec!.nodeName! };
    try {
      await helper.ready();
      const dump = await helper.capture(buildPodNsArgv(pod));
      return { ...base, value: buildNsReport({ pod: base.pod, namespace: pod.metadata!.namespace!, node: base.node, entries: parseNsDump(dump), facts: buildPodFacts(pod) }) };
    } catch (error) {
      return { ...base, error: podErrorText(error) };
    }
  });
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify(results.map((r) => r.value ?? { pod: r.pod, node: r.node, error: r.error }), null, 2)}\n`);
  } else {
    const color = shouldColor(process.stdout.isTTY, process.env);
    process.stdout.write(
      results
        .map((r) => `== pod ${visibleText(r.pod)} (node ${visibleText(r.node)})\n${r.value ? renderNsTable(r.value, { color }) : `error: ${r.error}\n`}`)
        .join('\n'),
    );
  }
  return finish(results, plan.skipped);
}

export async function runStatsFanout(ctx: CommandContext, options: StatsOptions & { fanout: FanoutSelection }): Promise<number> {
  const { plan, results } = await withNodeHelpers(ctx, options, options.fanout, () => ({ job: 'stats' }), async (pod, helper): Promise<Outcome<FleetStatsRow['stats']>> => {
    const base = { pod: pod.metadata!.name!, node: pod.spec!.nodeName! };
    try {
      await helper.ready();
      const { target } = planTarget(pod, options);
      const argv = buildStatsArgv({ podUid: pod.metadata!.uid!, target: buildPodTarget(target) });
      return { ...base, value: parseStats(await helper.capture(argv), targetName(target)) };
    } catch (error) {
      return { ...base, error: podErrorText(error) };
    }
  });
  const rows: FleetStatsRow[] = results.map((r) => ({ pod: r.pod, node: r.node, ...(r.value ? { stats: r.value } : {}), ...(r.error ? { error: r.error } : {}) }));
  process.stdout.write(options.output === 'json' ? renderFleetStatsJson(rows) : renderFleetStatsTable(rows, visibleText));
  return finish(results, plan.skipped);
}
