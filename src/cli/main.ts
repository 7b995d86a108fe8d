// Entry point of kubectl-nsdebug (scripts/build.mjs bundles from here).
import { main } from './cli.js';

await main(process.argv.slice(2));
// The work is done: a socket a library forgot to close must not keep the CLI alive.
setTimeout(() => process.exit(), 200).unref();
