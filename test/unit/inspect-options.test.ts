import { describe, expect, it } from 'vitest';
import { validateNsOptions, validateStatsOptions } from '../../src/cli/inspect-options.js';

describe('validateNsOptions', () => {
  it('takes a pod or workload target and an output format', () => {
    expect(validateNsOptions({ target: 'pod/web' }, {})).toMatchObject({ target: { kind: 'pod', name: 'web' }, output: 'table' });
    expect(validateNsOptions({ target: 'deploy/api', output: 'json' }, {})).toMatchObject({ target: { kind: 'deployment', name: 'api' }, output: 'json' });
  });
  it('rejects a node, a missing target and an unknown format with the fix', () => {
    expect(() => validateNsOptions({ target: 'node/n1' }, {})).toThrow(/ns inspects a pod, not node\/n1/);
    expect(() => validateNsOptions({}, {})).toThrow(/no TARGET given/);
    expect(() => validateNsOptions({ target: 'web', output: 'yaml' }, {})).toThrow(/-o\/--output "yaml" is not one of table, json/);
  });
});

describe('validateStatsOptions', () => {
  it('defaults: table, no watch, the helper\'s usual idle-start', () => {
    const o = validateStatsOptions({ target: 'web' }, {});
    expect(o).toMatchObject({ output: 'table', watch: false, sandbox: false, container: undefined, idleStartSeconds: 600 });
  });
  it('--watch keeps the helper until its ttl: single execs do not count as sessions for the agent', () => {
    expect(validateStatsOptions({ target: 'web', watch: true, ttl: '2h' }, {}).idleStartSeconds).toBe(7200);
  });
  it('-c and --sandbox exclude each other; nodes are refused', () => {
    expect(() => validateStatsOptions({ target: 'web', container: 'app', sandbox: true }, {})).toThrow(/exclude each other/);
    expect(() => validateStatsOptions({ target: 'node/n1' }, {})).toThrow(/not node\/n1/);
  });
});
