// Entry point of kubectl-nsdebug (scripts/build.mjs bundles from here). The
// version answers before yargs loads: yargs and its help layout are most of
// what start-up costs.
import { installPipeFallback } from './runner.js';

// Node 22+ warns on stderr about APIs the Kubernetes client's dependencies use
// (punycode, url.parse); users can do nothing about them. NSDEBUG_DEBUG shows them.
if (!process.env.NSDEBUG_DEBUG) (process as { noDeprecation?: boolean }).noDeprecation = true;
import { VERSION } from './version.js';

const args = process.argv.slice(2);
if (args.length === 1 && ['version', '--version', '-V'].includes(args[0]!)) {
  installPipeFallback();
  process.stdout.write(args[0] === 'version' ? `kubectl-nsdebug v${VERSION}\n` : `v${VERSION}\n`);
} else {
  const { main } = await import('./cli.js');
  await main(args);
}
// The work is done: a socket a library forgot to close must not keep the CLI alive.
setTimeout(() => process.exit(), 200).unref();
