import { describe, expect, it } from 'vitest';
import { chooseContainer, listContainers, stripScheme } from '../../src/kube/choose-container.js';
import { containerIdFor, makePod } from './fixtures-pods.js';

describe('chooseContainer', () => {
  it('takes the only container without a note', () => {
    const choice = chooseContainer(makePod([['app', 'running']]), undefined);
    expect(choice.container.name).toBe('app');
    expect(choice.container.containerId).toBe(containerIdFor(1));
    expect(choice.note).toBeUndefined();
  });

  it('honours -c', () => {
    expect(chooseContainer(makePod([['proxy', 'running'], ['app', 'running']]), 'app').container.name).toBe('app');
  });

  it('lists the containers when -c names none of them', () => {
    expect(() => chooseContainer(makePod([['proxy', 'running'], ['app', 'running']]), 'db')).toThrowError(
      expect.objectContaining({ message: 'container "db" not found in pod "web"', hint: 'its containers are: proxy, app' }),
    );
  });

  it('prefers the default-container annotation over a sidecar that comes first', () => {
    const pod = makePod([['istio-proxy', 'running'], ['app', 'running']], { annotations: { 'kubectl.kubernetes.io/default-container': 'app' } });
    const choice = chooseContainer(pod, undefined);
    expect(choice.container.name).toBe('app');
    expect(choice.note).toContain('istio-proxy');
  });

  it('takes the first running container and names the alternatives', () => {
    const choice = chooseContainer(makePod([['init-ish', 'waiting'], ['app', 'running'], ['log', 'running']]), undefined);
    expect(choice.container.name).toBe('app');
    expect(choice.note).toBe('pod "web" has 3 containers; using "app" (the first running); others: init-ish, log; pick one with -c');
  });

  it('ignores an annotation naming a missing container', () => {
    const pod = makePod([['a', 'waiting'], ['b', 'running']], { annotations: { 'kubectl.kubernetes.io/default-container': 'zzz' } });
    expect(chooseContainer(pod, undefined).container.name).toBe('b');
  });
});

describe('listContainers', () => {
  it('reports state, reason and restarts, and an id only when running', () => {
    const [app, crash] = listContainers(makePod([['app', 'running'], ['crash', 'waiting', 'CrashLoopBackOff']]));
    expect(app).toMatchObject({ state: 'running', restarts: 0, kind: 'container' });
    expect(crash).toMatchObject({ state: 'waiting', reason: 'CrashLoopBackOff', restarts: 4, containerId: undefined });
  });

  it('strips the runtime scheme', () => {
    expect(stripScheme('containerd://abc')).toBe('abc');
    expect(stripScheme('cri-o://abc')).toBe('abc');
  });
});
