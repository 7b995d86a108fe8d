// Entry point of kubectl-nsdebug. Start-up stays lazy: yargs is the only
// import here; the Kubernetes client and Ink load inside the command that needs them.
import { basename } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { CancelledError, UserError, formatError, oneLine } from '../base/errors.js';
import { GLOBAL_OPTIONS, DEBUG_OPTIONS, INSPECT_OPTIONS, STATS_OPTIONS } from '../base/flags.js';

// Set by scripts/build.mjs from package.json.
declare const __NSDEBUG_VERSION__: string;
export const VERSION = __NSDEBUG_VERSION__;

/** kubectl runs us as kubectl-nsdebug; show usage the way users type it. */
function scriptName(argv0: string | undefined): string {
  const name = basename(argv0 ?? 'kubectl-nsdebug').replace(/\.m?js$/, '');
  return name.startsWith('kubectl-') ? `kubectl ${name.slice('kubectl-'.length)}` : 'kubectl nsdebug';
}

const EXAMPLES: Array<[string, string]> = [
  ['$0 pod/web', 'an interactive shell in web\'s net, pid, uts and ipc namespaces, with the helper image\'s tools'],
  ['$0 pod/web --ns net -- ip addr', 'the pod\'s interfaces, seen with the helper\'s ip'],
  ['$0 deploy/api -c app --tools target', 'a shell in the container\'s own filesystem'],
  ['$0 pod/crashy --ns net', 'a crash-looping pod: enters its sandbox (pause) network namespace'],
  ['$0 node/worker-1 --tools host', 'a shell on the node'],
  ['$0 pod/web -- cat /etc/hosts > hosts', 'stdout carries only the command\'s output'],
  ['$0 ns pod/web', 'which namespaces the pod\'s containers share'],
  ['$0 stats pod/web --watch', 'the cgroup limits and usage the container really has'],
];

export function buildCli(args: string[], argv0?: string): Argv {
  let cli = yargs(args)
    .scriptName(scriptName(argv0))
    .parserConfiguration({ 'populate--': true, 'strip-aliased': true, 'strip-dashed': true })
    .usage('$0 [TARGET] [flags] [-- COMMAND [ARG...]]\n\nEnter a pod\'s Linux namespaces from a short-lived privileged helper on its node.\nTARGET: pod/NAME (or NAME), deployment/NAME, statefulset/NAME, daemonset/NAME, replicaset/NAME, job/NAME, node/NAME.')
    .options(GLOBAL_OPTIONS)
    .command(
      '$0 [target]',
      'open a session in the target\'s namespaces',
      (y) => y.positional('target', { type: 'string', describe: 'pod/NAME, NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME, job/NAME or node/NAME' }).options(DEBUG_OPTIONS),
      async (argv) => {
        const { runDebugCommand } = await import('./commands/debug.js');
        process.exitCode = await runDebugCommand(argv);
      },
    )
    .command('list', 'list helper pods', (y) => y, async (argv) => {
      const { runListCommand } = await import('./commands/list.js');
      process.exitCode = await runListCommand(argv);
    })
    .command('clean', 'delete helper pods whose session is over (all of them with --all)', (y) => y.option('all', { type: 'boolean', default: false, describe: 'delete every helper, running sessions included' }), async (argv) => {
      const { runCleanCommand } = await import('./commands/clean.js');
      process.exitCode = await runCleanCommand(argv);
    })
    .command('ns <target>', 'show which namespaces the pod\'s containers, sandbox and node share', (y) => y.positional('target', { type: 'string', describe: 'pod/NAME, NAME or a workload' }).options(INSPECT_OPTIONS), async (argv) => {
      const { runNsCommand } = await import('./commands/ns.js');
      process.exitCode = await runNsCommand(argv);
    })
    .command('stats <target>', 'show the cgroup limits and usage of a container beside what /proc shows inside it', (y) => y.positional('target', { type: 'string', describe: 'pod/NAME, NAME or a workload' }).options(STATS_OPTIONS), async (argv) => {
      const { runStatsCommand } = await import('./commands/stats.js');
      process.exitCode = await runStatsCommand(argv);
    })
    .command('version', 'print the version', (y) => y, () => {
      process.stdout.write(`kubectl-nsdebug v${VERSION}\n`);
    });
  for (const [command, description] of EXAMPLES) cli = cli.example(command, description);
  return cli
    .version(`v${VERSION}`)
    .alias('version', 'V')
    .help('help')
    .alias('help', 'h')
    .strictOptions()
    .strictCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new UserError(oneLine(message ?? 'invalid arguments'), { hint: 'see kubectl nsdebug --help' });
    });
}

export async function main(args: string[]): Promise<void> {
  try {
    // kubectl's completion hook: handled before yargs so no flag is rejected and nothing heavy loads.
    if (args[0] === '__complete') {
      const { runComplete } = await import('../completion/complete.js');
      await runComplete(args.slice(1));
      return;
    }
    // The version needs no parser: answer before yargs lays out anything.
    if (args.length === 1 && ['version', '--version', '-V'].includes(args[0]!)) {
      process.stdout.write(args[0] === 'version' ? `kubectl-nsdebug v${VERSION}\n` : `v${VERSION}\n`);
      return;
    }
    await buildCli(args, process.argv[1]).parseAsync();
  } catch (error) {
    process.stderr.write(`${formatError(error)}\n`);
    if (process.env.NSDEBUG_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof UserError || error instanceof CancelledError ? error.exitCode : 1;
  }
}

await main(process.argv.slice(2));
// The work is done: a socket a library forgot to close must not keep the CLI alive.
setTimeout(() => process.exit(), 200).unref();
