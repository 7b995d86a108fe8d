// The flags' shapes, checked once in the option layer: yargs turns a flag given
// twice into an array and `--no-<string flag>` into false, which no validation
// downstream expects (`.trim is not a function`).
import { UserError } from '../base/errors.js';
import { CP_OPTIONS, DEBUG_OPTIONS, DIFF_OPTIONS, GLOBAL_OPTIONS, REPEATABLE_FLAGS, STATS_OPTIONS } from '../base/flags.js';

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

interface Known {
  readonly flag: string;
  readonly type: string;
}

const KNOWN = new Map<string, Known>();
for (const table of [GLOBAL_OPTIONS, DEBUG_OPTIONS, STATS_OPTIONS, CP_OPTIONS, DIFF_OPTIONS, { all: { type: 'boolean' } }] as const) {
  for (const [flag, option] of Object.entries(table)) {
    const known = { flag, type: (option as { type: string }).type };
    KNOWN.set(flag, known);
    KNOWN.set(camel(flag), known);
  }
}

/** Throws one UserError for a flag given twice or a `--no-` form of a flag that takes a value. */
export function checkFlagShapes(argv: Record<string, unknown>): true {
  for (const [key, value] of Object.entries(argv)) {
    const known = KNOWN.get(key);
    if (!known) continue;
    if (Array.isArray(value) && !REPEATABLE_FLAGS.has(known.flag)) {
      throw new UserError(`--${known.flag} was given ${value.length} times`, { hint: `give --${known.flag} once` });
    }
    if (known.type === 'string' && typeof value === 'boolean') {
      throw new UserError(`--no-${known.flag} is not a flag (--${known.flag} takes a value)`, { hint: `leave --${known.flag} out for its default, or give --${known.flag} VALUE` });
    }
  }
  return true;
}
