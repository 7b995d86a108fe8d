import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../../kube/client.js';
import { request } from '../../kube/request.js';
import { buildHelperRow, renderHelperTable } from '../../helper/helper-list.js';
import { HELPER_SELECTOR } from '../../helper/spec.js';
import { warmSecondsLeft } from '../../helper/warm.js';
import { validateHelperOptions, type RawHelperArgs } from '../debug-options.js';
import { runCommand } from '../runner.js';

/** Helper pods in the namespace, or in all of them with -A. */
export async function listHelpers(kube: Kube, allNamespaces: boolean): Promise<V1Pod[]> {
  const labelSelector = HELPER_SELECTOR;
  const list = allNamespaces
    ? await request(kube, { verb: 'list', resource: 'pods' }, () => kube.core.listPodForAllNamespaces({ labelSelector }))
    : await request(kube, { verb: 'list', resource: 'pods', namespace: kube.namespace }, () => kube.core.listNamespacedPod({ namespace: kube.namespace, labelSelector }));
  return list.items;
}

export async function runListCommand(raw: RawHelperArgs): Promise<number> {
  const options = validateHelperOptions(raw, process.env);
  return runCommand(options, async ({ kube }) => {
    const all = raw.allNamespaces ?? false;
    const pods = await listHelpers(kube, all);
    if (pods.length === 0) {
      process.stderr.write(`No nsdebug helper pods found${all ? '' : ` in namespace ${kube.namespace}`}.\n`);
      return 0;
    }
    const now = new Date();
    process.stdout.write(renderHelperTable(pods.map((pod) => buildHelperRow(pod, now, warmSecondsLeft(pod, now))), all));
    return 0;
  });
}
