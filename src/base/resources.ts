// The helper's compute resources: the flags' syntax, and the floor nsdebug uses
// when a namespace demands values the user did not give.
import { UserError } from './errors.js';

/** Resources the helper may be given (what a quota or LimitRange can demand of a container). */
export const HELPER_RESOURCE_NAMES = ['cpu', 'memory', 'ephemeral-storage'] as const;
export type HelperResourceName = (typeof HELPER_RESOURCE_NAMES)[number];
export type ResourceValues = Readonly<Partial<Record<HelperResourceName, string>>>;

export interface HelperResources {
  readonly requests?: ResourceValues | undefined;
  readonly limits?: ResourceValues | undefined;
}

/**
 * The least nsdebug gives the helper when a namespace demands a value: enough for
 * a shell and the usual tools (every session process shares the helper container's
 * cgroup), raised to a LimitRange's minimum and capped at its maximum.
 */
export const HELPER_RESOURCE_FLOOR: Readonly<Record<HelperResourceName, string>> = { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '64Mi' };

// Kubernetes' quantity syntax (apimachinery resource.Quantity), without signs.
const QUANTITY = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;

const isResourceName = (value: string): value is HelperResourceName => (HELPER_RESOURCE_NAMES as readonly string[]).includes(value);

/** Pure: `cpu=100m,memory=64Mi` -> values; one-line errors naming the flag. */
export function parseResourceFlag(flag: string, text: string): ResourceValues {
  const values: Partial<Record<HelperResourceName, string>> = {};
  const example = `for example --${flag} cpu=100m,memory=64Mi`;
  for (const item of text.split(',').map((part) => part.trim())) {
    const [name, value, extra] = item.split('=');
    if (!name || value === undefined || extra !== undefined) {
      throw new UserError(`--${flag} "${text}" is not a list of NAME=QUANTITY`, { hint: example });
    }
    if (!isResourceName(name)) {
      throw new UserError(`--${flag}: "${name}" is not one of ${HELPER_RESOURCE_NAMES.join(', ')}`, { hint: example });
    }
    if (!QUANTITY.test(value) || parseQuantity(value) === 0) {
      throw new UserError(`--${flag}: ${name}="${value}" is not a positive Kubernetes quantity`, { hint: `use a value like 100m or 0.5 for cpu, 64Mi or 1Gi for memory` });
    }
    if (values[name] !== undefined) throw new UserError(`--${flag} names ${name} twice`, { hint: example });
    values[name] = value;
  }
  return values;
}

/** `cpu=100m,memory=64Mi`, in the canonical order (for notes and the equivalent command). */
export function formatResourceValues(values: ResourceValues): string {
  return HELPER_RESOURCE_NAMES.filter((name) => values[name] !== undefined).map((name) => `${name}=${values[name]}`).join(',');
}

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A quantity's value as a number (cores, bytes), for comparisons; NaN when unreadable. */
export function parseQuantity(text: string): number {
  const match = /^((?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/.exec(text.trim());
  if (!match) return Number.NaN;
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  return number * (SUFFIX[suffix] ?? Number.NaN);
}
