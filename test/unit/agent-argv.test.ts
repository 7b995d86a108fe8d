import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AGENT_NAME,
  agentModeOf,
  AgentArgvError,
  buildNsArgv,
  buildServeArgv,
  buildSessionArgv,
  buildStatsArgv,
  parseNamespaceList,
} from '../../src/agent/argv.js';
import { AGENT_SCRIPT } from '../../src/agent/script.js';

// Every argv carries the script itself: `sh -c SCRIPT nsdebug-agent MODE ...`.
const AGENT = ['sh', '-c', AGENT_SCRIPT, AGENT_NAME];

const UID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const ID = 'a'.repeat(64);
const ID2 = 'b'.repeat(64);

describe('container ids', () => {
  // The runtime's scheme is stripped when the pod is read; what reaches a builder must be bare hex.
  it.each(['', 'containerd://', `containerd://${ID}`, ID.toUpperCase(), 'abc', `${ID}0`, `${ID};rm`])(
    'rejects %j with one line',
    (input) => {
      const build = () => buildStatsArgv({ podUid: UID, target: { kind: 'container', containerId: input } });
      expect(build).toThrow(AgentArgvError);
      expect(build).toThrow(/^invalid container id .*12 to 64 lowercase hex digits$/);
    },
  );
});

describe('parseNamespaceList', () => {
  it('returns the canonical order without duplicates', () => {
    expect(parseNamespaceList('uts,net,uts')).toEqual(['net', 'uts']);
  });
  it('expands all', () => {
    expect(parseNamespaceList('all')).toEqual(['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time']);
  });
  it('names the valid values on an unknown one', () => {
    expect(() => parseNamespaceList('net,network')).toThrow(
      'unknown namespace "network" in --ns; valid: net,pid,mnt,uts,ipc,user,cgroup,time or all',
    );
  });
  it('rejects an empty element', () => {
    expect(() => parseNamespaceList('net,')).toThrow(/^an empty name in --ns; valid: /);
  });
});

describe('builders', () => {
  it('serve', () => {
    expect(buildServeArgv({ idleSeconds: 30, idleStartSeconds: 600 })).toEqual([
      ...AGENT, 'serve', '--idle', '30', '--idle-start', '600', '--freeze-idle', '5',
    ]);
    expect(AGENT_SCRIPT).toBe(readFileSync(new URL('../../src/agent/nsdebug-agent.sh', import.meta.url), 'utf8'));
    expect(agentModeOf(buildServeArgv({ idleSeconds: 30, idleStartSeconds: 600 }))).toBe('serve');
    expect(() => buildServeArgv({ idleSeconds: 1.5, idleStartSeconds: 1 })).toThrow(/idleSeconds/);
    expect(() => buildServeArgv({ idleSeconds: 1, idleStartSeconds: -1 })).toThrow(/idleStartSeconds/);
  });

  it('stats for a container and for the sandbox', () => {
    expect(buildStatsArgv({ podUid: UID, target: { kind: 'container', containerId: ID } })).toEqual([
      ...AGENT, 'stats', '--pod-uid', UID, '--container-id', ID,
    ]);
    expect(buildStatsArgv({ podUid: UID, target: { kind: 'sandbox', exclude: [ID, ID2] } })).toEqual([
      ...AGENT, 'stats', '--pod-uid', UID, '--sandbox', '--exclude', ID, '--exclude', ID2,
    ]);
  });

  it('ns', () => {
    expect(
      buildNsArgv({ podUid: UID, containers: [{ name: 'app', containerId: ID }, { name: 'side-car', containerId: ID2 }], exclude: ['c'.repeat(12)] }),
    ).toEqual([
      ...AGENT, 'ns', '--pod-uid', UID, '--container', `app=${ID}`, '--container', `side-car=${ID2}`, '--exclude', 'c'.repeat(12),
    ]);
    expect(() => buildNsArgv({ podUid: UID, containers: [{ name: 'App=x', containerId: ID }] })).toThrow(/invalid container name/);
  });

  it('session for a container with a command after --', () => {
    expect(
      buildSessionArgv({
        podUid: UID,
        target: { kind: 'container', containerId: ID },
        namespaces: ['net', 'pid'],
        tools: 'helper',
        label: 'default/web:app',
        command: ['sh', '-c', 'echo "$HOSTNAME"; exit 7'],
      }),
    ).toEqual([
      ...AGENT, 'session', '--pod-uid', UID, '--container-id', ID, '--ns', 'net,pid', '--tools', 'helper',
      '--label', 'default/web:app', '--', 'sh', '-c', 'echo "$HOSTNAME"; exit 7',
    ]);
  });

  it('session: interactive shell, sandbox, node', () => {
    expect(
      buildSessionArgv({ podUid: UID, target: { kind: 'sandbox', exclude: [ID] }, namespaces: ['net'], tools: 'host' }),
    ).toEqual([...AGENT, 'session', '--pod-uid', UID, '--sandbox', '--exclude', ID, '--ns', 'net', '--tools', 'host']);
    expect(buildSessionArgv({ target: { kind: 'node' }, namespaces: ['net'], tools: 'host', command: [] })).toEqual([
      ...AGENT, 'session', '--node', '--tools', 'host',
    ]);
    expect(
      buildSessionArgv({ podUid: UID, target: { kind: 'container', containerId: ID }, namespaces: [], tools: 'target' }),
    ).toEqual([...AGENT, 'session', '--pod-uid', UID, '--container-id', ID, '--tools', 'target']);
  });

  it.each([
    [{ podUid: 'not-a-uid', target: { kind: 'container', containerId: ID }, namespaces: ['net'], tools: 'helper' }, /invalid pod uid "not-a-uid"/],
    [{ target: { kind: 'container', containerId: ID }, namespaces: ['net'], tools: 'helper' }, /needs the pod uid/],
    [{ podUid: UID, target: { kind: 'container', containerId: 'xyz' }, namespaces: ['net'], tools: 'helper' }, /invalid container id "xyz"/],
    [{ podUid: UID, target: { kind: 'sandbox', exclude: ['$(reboot)'] }, namespaces: ['net'], tools: 'helper' }, /invalid container id/],
    [{ podUid: UID, target: { kind: 'container', containerId: ID }, namespaces: ['mnt'], tools: 'host' }, /use --tools target/],
    [{ podUid: UID, target: { kind: 'container', containerId: ID }, namespaces: [], tools: 'helper' }, /at least one/],
    [{ podUid: UID, target: { kind: 'container', containerId: ID }, namespaces: ['net'], tools: 'helper', label: 'a b' }, /invalid session label/],
    [{ target: { kind: 'node' }, namespaces: [], tools: 'target' }, /needs a pod target/],
  ] as const)('session rejects %j', (input, message) => {
    expect(() => buildSessionArgv(input)).toThrow(message);
  });
});

describe('catch builders', () => {
  it('builds catch --hold and --print-env, and release', async () => {
    const { buildCatchArgv, buildReleaseArgv } = await import('../../src/agent/argv.js');
    expect(buildCatchArgv({ podUid: UID, containerName: 'app', timeoutSeconds: 75, killOnExit: false, then: 'hold' })).toEqual([
      ...AGENT, 'catch', '--pod-uid', UID, '--container-name', 'app', '--timeout', '75', '--hold',
    ]);
    expect(buildCatchArgv({ podUid: UID, containerName: 'app', timeoutSeconds: 1, killOnExit: true, then: 'print-env' }).slice(-2)).toEqual(['--kill-on-exit', '--print-env']);
    expect(() => buildCatchArgv({ podUid: UID, containerName: 'App', timeoutSeconds: 5, killOnExit: false, then: 'hold' })).toThrow(/invalid container name "App"/);
    expect(() => buildCatchArgv({ podUid: 'x', containerName: 'app', timeoutSeconds: 5, killOnExit: false, then: 'hold' })).toThrow(/invalid pod uid/);
    expect(buildReleaseArgv()).toEqual([...AGENT, 'release']);
  });

  it('session --target-env only with target tools on a pod', () => {
    expect(buildSessionArgv({ podUid: UID, target: { kind: 'container', containerId: ID }, namespaces: ['pid', 'mnt'], tools: 'target', targetEnv: true })).toContain('--target-env');
    expect(() => buildSessionArgv({ podUid: UID, target: { kind: 'container', containerId: ID }, namespaces: ['pid'], tools: 'helper', targetEnv: true })).toThrow(/--target-env needs/);
  });
});
