import { isHelperFinished } from '../../helper/helper-list.js';
import { deleteHelper, helperRefOf } from '../../helper/lifecycle.js';
import { validateHelperOptions, type RawHelperArgs } from '../debug-options.js';
import { runCommand } from '../runner.js';
import { listHelpers } from './list.js';

/** Deletes helpers whose session is over (or all with --all); prints each deleted pod on stdout. */
export async function runCleanCommand(raw: RawHelperArgs & { all?: boolean }): Promise<number> {
  const options = validateHelperOptions(raw, process.env);
  return runCommand(options, async ({ kube }) => {
    const pods = await listHelpers(kube, raw.allNamespaces ?? false);
    const doomed = pods.filter((pod) => raw.all || isHelperFinished(pod));
    await Promise.all(doomed.map((pod) => deleteHelper(kube, helperRefOf(pod))));
    for (const pod of doomed) process.stdout.write(`pod/${pod.metadata?.name} deleted (namespace ${pod.metadata?.namespace})\n`);
    const left = pods.length - doomed.length;
    if (!options.quiet) {
      process.stderr.write(`nsdebug: deleted ${doomed.length} helper pod${doomed.length === 1 ? '' : 's'}${left ? `; ${left} still in a session (use --all to delete them too)` : ''}\n`);
    }
    return 0;
  });
}
