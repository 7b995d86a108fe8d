import { describe, expect, it } from 'vitest';
import { planPodSession, type SessionWish } from '../../src/session/plan-namespaces.js';
import { sandboxNamespaces } from '../../src/session/plan-target.js';
import { containerIdFor, makePod } from './fixtures-pods.js';

const wish = (overrides: Partial<SessionWish> = {}): SessionWish => ({
  container: undefined,
  sandbox: false,
  namespaces: ['net', 'pid', 'uts', 'ipc'],
  namespacesExplicit: false,
  tools: 'helper',
  ...overrides,
});

describe('planPodSession', () => {
  it('enters a running container with the namespaces asked for', () => {
    const { plan, warnings } = planPodSession(makePod([['app', 'running']]), wish());
    expect(plan).toMatchObject({ kind: 'container', containerId: containerIdFor(1), namespaces: ['net', 'pid', 'uts', 'ipc'], tools: 'helper' });
    expect(warnings).toEqual([]);
  });

  it('adds mnt for --tools target', () => {
    const { plan } = planPodSession(makePod([['app', 'running']]), wish({ tools: 'target', namespaces: ['net'] }));
    expect(plan.namespaces).toEqual(['net', 'mnt']);
  });

  it('falls back to the sandbox for a crash-looping container, keeping only what the sandbox holds', () => {
    const { plan, warnings } = planPodSession(makePod([['app', 'waiting', 'CrashLoopBackOff']]), wish());
    expect(plan).toMatchObject({ kind: 'sandbox', namespaces: ['net', 'uts', 'ipc'], excludeIds: [] });
    expect(warnings[0]).toBe('container "app" is not running (CrashLoopBackOff); entering the pod sandbox (pause) instead, with namespaces net,uts,ipc');
  });

  it('excludes the running containers when looking for the sandbox', () => {
    const { plan } = planPodSession(makePod([['app', 'running'], ['side', 'running']]), wish({ sandbox: true }));
    expect(plan).toMatchObject({ kind: 'sandbox', excludeIds: [containerIdFor(1), containerIdFor(2)] });
  });

  it('says which explicit namespaces the sandbox does not hold', () => {
    const { plan, warnings } = planPodSession(makePod([['app', 'terminated']]), wish({ namespaces: ['net', 'mnt'], namespacesExplicit: true }));
    expect(plan.namespaces).toEqual(['net']);
    expect(warnings).toContain('the sandbox does not hold mnt: left out');
  });

  it('fails clearly when nothing asked for is in the sandbox', () => {
    expect(() => planPodSession(makePod([['app', 'waiting']]), wish({ namespaces: ['mnt'], namespacesExplicit: true }))).toThrowError(/holds only the net, uts, ipc namespaces/);
  });

  it('the sandbox holds pid when the pod shares its process namespace', () => {
    expect(sandboxNamespaces(makePod([['a', 'running']], { shareProcessNamespace: true }))).toContain('pid');
    expect(sandboxNamespaces(makePod([['a', 'running']]))).not.toContain('pid');
  });

  it('turns --tools target into helper for the sandbox', () => {
    const { plan, warnings } = planPodSession(makePod([['app', 'waiting']]), wish({ tools: 'target' }));
    expect(plan.tools).toBe('helper');
    expect(warnings.join(' ')).toContain('--tools target becomes --tools helper');
  });

  it('refuses -c together with --sandbox', () => {
    expect(() => planPodSession(makePod([['app', 'running']]), wish({ sandbox: true, container: 'app' }))).toThrowError(/exclude each other/);
  });
});
