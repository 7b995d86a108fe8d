// The command line: yargs commands and the top-level error line. Start-up stays
// lazy: yargs is the only import here; the Kubernetes client and Ink load inside
// the command that needs them (src/cli/main.ts runs this).
import { basename } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { CancelledError, UserError, formatError, oneLine } from '../base/errors.js';
import { GLOBAL_OPTIONS, DEBUG_OPTIONS, INSPECT_OPTIONS, STATS_OPTIONS, CP_OPTIONS, DIFF_OPTIONS, CLEAN_OPTIONS } from '../base/flags.js';
import type { RawDebugArgs, RawHelperArgs } from './debug-options.js';
import type { RawCleanArgs } from './commands/clean.js';
import type { RawNsArgs, RawStatsArgs } from './inspect-options.js';
import { checkFlagShapes } from './flag-shapes.js';
import type { RawCpArgs, RawDiffArgs } from './cp-options.js';
import { installPipeFallback } from './runner.js';

import { VERSION } from './version.js';

/** What each subcommand runs; the tests pass their own to see the parsed flags. */
export interface Commands {
  debug(raw: RawDebugArgs): Promise<number>;
  list(raw: RawHelperArgs): Promise<number>;
  clean(raw: RawCleanArgs): Promise<number>;
  ns(raw: RawNsArgs): Promise<number>;
  stats(raw: RawStatsArgs): Promise<number>;
  cp(raw: RawCpArgs): Promise<number>;
  diff(raw: RawDiffArgs): Promise<number>;
}

const COMMANDS: Commands = {
  debug: async (raw) => (await import('./commands/debug.js')).runDebugCommand(raw),
  list: async (raw) => (await import('./commands/list.js')).runListCommand(raw),
  clean: async (raw) => (await import('./commands/clean.js')).runCleanCommand(raw),
  ns: async (raw) => (await import('./commands/ns.js')).runNsCommand(raw),
  stats: async (raw) => (await import('./commands/stats.js')).runStatsCommand(raw),
  cp: async (raw) => (await import('./commands/cp.js')).runCpCommand(raw),
  diff: async (raw) => (await import('./commands/diff.js')).runDiffCommand(raw),
};

/**
 * Splits the words at the first `--`: the flags before it go to yargs, the
 * remote command after it goes to the node byte for byte (yargs would turn
 * `1.50` into 1.5 and `0x10` into 16).
 */
export function splitRemoteCommand(args: readonly string[]): { flags: string[]; command: string[] | undefined } {
  const at = args.indexOf('--');
  return at === -1 ? { flags: [...args], command: undefined } : { flags: args.slice(0, at), command: args.slice(at + 1) };
}

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
  ['$0 cp ./app.conf pod/web:/etc/app.conf', 'a file into a container, even one without tar or a shell'],
  ['$0 diff pod/web', 'what the container wrote since it started'],
  ['$0 stats pod/web --watch', 'the cgroup limits and usage the container really has'],
];

export function buildCli(args: readonly string[], argv0?: string, commands: Commands = COMMANDS): Argv {
  const { flags, command } = splitRemoteCommand(args);
  // yargs still sees a `--` (so it parses as before) but never the words after it.
  let cli = yargs(command === undefined ? flags : [...flags, '--'])
    .scriptName(scriptName(argv0))
    .parserConfiguration({ 'populate--': true, 'strip-aliased': true, 'strip-dashed': true })
    .usage('$0 [TARGET] [flags] [-- COMMAND [ARG...]]\n\nEnter a pod\'s Linux namespaces from a short-lived privileged helper on its node.\nTARGET: pod/NAME (or NAME), deployment/NAME, statefulset/NAME, daemonset/NAME, replicaset/NAME, job/NAME, node/NAME.')
    .options(GLOBAL_OPTIONS)
    .command(
      '$0 [target]',
      'open a session in the target\'s namespaces',
      (y) => y.positional('target', { type: 'string', describe: 'pod/NAME, NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME, job/NAME or node/NAME' }).options(DEBUG_OPTIONS),
      async (argv) => {
        process.exitCode = await commands.debug({ ...argv, '--': command ?? [] });
      },
    )
    .command('list', 'list helper pods', (y) => y, async (argv) => {
      process.exitCode = await commands.list(argv);
    })
    .command('clean', 'delete your helper pods whose session is over (running ones too with --all; other users\' with --any-user)', (y) => y.options(CLEAN_OPTIONS), async (argv) => {
      process.exitCode = await commands.clean(argv);
    })
    .command('ns [target]', 'show which namespaces the pod\'s containers, sandbox and node share', (y) => y.positional('target', { type: 'string', describe: 'pod/NAME, NAME or a workload' }).options(INSPECT_OPTIONS), async (argv) => {
      process.exitCode = await commands.ns(argv);
    })
    .command('stats [target]', 'show the cgroup limits and usage of a container beside what /proc shows inside it', (y) => y.positional('target', { type: 'string', describe: 'pod/NAME, NAME or a workload' }).options(STATS_OPTIONS), async (argv) => {
      process.exitCode = await commands.stats(argv);
    })
    .command('cp <src> <dst>', 'copy files and directories to and from a container, tar or not (kubectl cp\'s syntax; - is a tar on stdin/stdout)', (y) => y.positional('src', { type: 'string', describe: 'pod/NAME:/path, NAME:/path, a local path or -' }).positional('dst', { type: 'string', describe: 'as SRC' }).options(CP_OPTIONS), async (argv) => {
      // yargs reads a lone `-` as an option with an empty name and leaves the positional ""
      // (an empty path is no path: the `-` given is what it stood for).
      const stdio = (end: string | undefined) => (end === '' && flags.includes('-') ? '-' : end);
      process.exitCode = await commands.cp({ ...argv, src: stdio(argv.src), dst: stdio(argv.dst) });
    })
    .command('diff <target>', 'list what a container added (A), changed (C) and deleted (D) since it started', (y) => y.positional('target', { type: 'string', describe: 'pod/NAME or NAME' }).options(DIFF_OPTIONS), async (argv) => {
      process.exitCode = await commands.diff(argv);
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
    .check(checkFlagShapes, true)
    .strictOptions()
    .strictCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      throw error ?? new UserError(oneLine(message ?? 'invalid arguments'), { hint: 'see kubectl nsdebug --help' });
    });
}

export async function main(args: string[]): Promise<void> {
  installPipeFallback();
  try {
    // kubectl's completion hook: handled before yargs so no flag is rejected and nothing heavy loads.
    if (args[0] === '__complete') {
      const { runComplete } = await import('../completion/complete.js');
      await runComplete(args.slice(1));
      return;
    }
    await buildCli(args, process.argv[1]).parseAsync();
  } catch (error) {
    process.stderr.write(`${formatError(error)}\n`);
    if (process.env.NSDEBUG_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof UserError || error instanceof CancelledError ? error.exitCode : 1;
  }
}
