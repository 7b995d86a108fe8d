// Pure option validation for `ns` and `stats`: flags + environment -> options,
// with no I/O and nothing heavy imported, so the tests need no cluster.
import { UserError } from '../base/errors.js';
import { assertContainerOrSandbox } from '../base/rules.js';
import { validateHelperOptions, type HelperOptions, type RawHelperArgs } from './debug-options.js';
import { parseTargetRef, type TargetRef } from '../kube/target-ref.js';

export interface RawNsArgs extends RawHelperArgs {
  readonly target?: string | undefined;
  readonly output?: string | undefined;
}

export interface RawStatsArgs extends RawNsArgs {
  readonly container?: string | undefined;
  readonly sandbox?: boolean | undefined;
  readonly watch?: boolean | undefined;
}

export interface NsOptions extends HelperOptions {
  readonly target: TargetRef;
  readonly output: 'table' | 'json';
}

export interface StatsOptions extends NsOptions {
  readonly container: string | undefined;
  readonly sandbox: boolean;
  readonly watch: boolean;
}

function podTarget(mode: 'ns' | 'stats', text: string | undefined): TargetRef {
  if (text === undefined) throw new UserError('no TARGET given', { hint: `name a pod, for example kubectl nsdebug ${mode} pod/web` });
  const target = parseTargetRef(text);
  if (target.kind === 'node') {
    throw new UserError(`${mode} inspects a pod, not node/${target.name}`, { hint: 'name a pod or a workload, for example pod/web' });
  }
  return target;
}

function outputFormat(text: string | undefined): 'table' | 'json' {
  const output = text ?? 'table';
  if (output !== 'table' && output !== 'json') throw new UserError(`-o/--output "${output}" is not one of table, json`, { hint: 'pick one of those' });
  return output;
}

export function validateNsOptions(raw: RawNsArgs, env: NodeJS.ProcessEnv): NsOptions {
  return { ...validateHelperOptions(raw, env), target: podTarget('ns', raw.target), output: outputFormat(raw.output) };
}

export function validateStatsOptions(raw: RawStatsArgs, env: NodeJS.ProcessEnv): StatsOptions {
  const helper = validateHelperOptions(raw, env);
  const target = podTarget('stats', raw.target);
  assertContainerOrSandbox(raw.container, raw.sandbox);
  const watch = raw.watch ?? false;
  return {
    ...helper,
    // A stats sample is one exec, which the agent's idle-start watchdog does
    // not count as a session: while watching, let only --ttl end the helper.
    idleStartSeconds: watch ? Math.max(helper.idleStartSeconds, helper.ttlSeconds) : helper.idleStartSeconds,
    target,
    container: raw.container,
    sandbox: raw.sandbox ?? false,
    output: outputFormat(raw.output),
    watch,
  };
}
