import { describe, expect, it } from 'vitest';
import { Directive, buildCompletion, formatCompletion, type Lookups } from '../../../src/completion/candidates.js';
import { parseCompletionWords } from '../../../src/completion/parse-words.js';
import type { TargetKind } from '../../../src/base/rules.js';

/** An in-memory cluster: namespace -> kind -> names, plus pod containers. */
function memoryLookups(namespace = 'default', calls: string[] = []): Lookups {
  const objects: Record<string, Partial<Record<TargetKind, string[]>>> = {
    default: { pod: ['web-1', 'web-2', 'db-0'], deployment: ['web'], statefulset: ['db'] },
    tools: { pod: ['probe'] },
  };
  const containers: Record<string, string[]> = { 'default/web-1': ['app', 'sidecar'], 'tools/probe': ['probe'] };
  return {
    async namespaces() {
      calls.push('namespaces');
      return Object.keys(objects);
    },
    async names(kind) {
      calls.push(`names:${kind}`);
      if (kind === 'node') return ['node-1'];
      return objects[namespace]?.[kind] ?? [];
    },
    async containers(target) {
      calls.push(`containers:${target.kind}/${target.name}`);
      return containers[`${namespace}/${target.name}`] ?? [];
    },
    async contexts() {
      return ['kind-a', 'prod'];
    },
    async clusters() {
      return ['a'];
    },
    async users() {
      return ['admin'];
    },
  };
}

/** Like runComplete: the lookups are made for the namespace the words chose. */
async function complete(words: string[], makeLookups: (namespace: string) => Lookups = memoryLookups) {
  const request = parseCompletionWords(words);
  return buildCompletion(request, makeLookups(request.lookup.namespace ?? 'default'));
}

describe('completion words', () => {
  it('offers subcommands, kind prefixes and pod names for an empty word', async () => {
    const result = await complete(['']);
    expect(result.candidates).toEqual([
      'list', 'clean', 'ns', 'stats', 'cp', 'diff', 'version',
      'pod/', 'deployment/', 'statefulset/', 'daemonset/', 'replicaset/', 'job/', 'node/',
      'web-1', 'web-2', 'db-0',
    ]);
    expect(result.directive).toBe(Directive.NoFileComp);
  });

  it('completes pod/ with the namespace from -n, --namespace and --namespace=', async () => {
    expect((await complete(['pod/'])).candidates).toEqual(['pod/web-1', 'pod/web-2', 'pod/db-0']);
    expect((await complete(['-n', 'tools', 'pod/'])).candidates).toEqual(['pod/probe']);
    expect((await complete(['--namespace', 'tools', 'po/'])).candidates).toEqual(['po/probe']);
    expect((await complete(['--namespace=tools', 'pod/p'])).candidates).toEqual(['pod/probe']);
  });

  it('completes workload and node names, keeping the alias the user typed', async () => {
    expect((await complete(['deploy/'])).candidates).toEqual(['deploy/web']);
    expect((await complete(['sts/d'])).candidates).toEqual(['sts/db']);
    expect((await complete(['node/'])).candidates).toEqual(['node/node-1']);
    expect((await complete(['bogus/'])).candidates).toEqual([]);
  });

  it('asks for no space after a lone kind stem', async () => {
    const result = await complete(['dep']);
    expect(result.candidates).toEqual(['deployment/']);
    expect(result.directive).toBe(Directive.NoFileComp | Directive.NoSpace);
  });

  it('completes -c with the containers of the target already typed', async () => {
    expect((await complete(['pod/web-1', '-c', ''])).candidates).toEqual(['app', 'sidecar']);
    expect((await complete(['-n', 'tools', 'probe', '--container', 'p'])).candidates).toEqual(['probe']);
    expect((await complete(['-c', ''])).candidates).toEqual([]);
  });

  it('completes --ns as a comma list, each type once, all only alone', async () => {
    const first = await complete(['pod/web-1', '--ns', '']);
    expect(first.candidates).toEqual(['net', 'pid', 'mnt', 'uts', 'ipc', 'user', 'cgroup', 'time', 'all']);
    expect(first.directive & Directive.NoSpace).toBe(Directive.NoSpace);
    const more = await complete(['--ns=net,pid,u']);
    expect(more.candidates).toEqual(['--ns=net,pid,uts', '--ns=net,pid,user']);
  });

  it('completes --tools and -n values', async () => {
    expect((await complete(['--tools', ''])).candidates).toEqual(['helper', 'host', 'target']);
    expect((await complete(['-n', 't'])).candidates).toEqual(['tools']);
    expect((await complete(['--context', ''])).candidates).toEqual(['kind-a', 'prod']);
  });

  it('lists the flags of the command being typed', async () => {
    const run = (await complete(['--t'])).candidates;
    expect(run).toEqual(['--timeout', '--ttl', '--tools', '--tty']);
    const list = (await complete(['list', '--'])).candidates;
    expect(list).toContain('--all-namespaces');
    expect(list).not.toContain('--tools');
    expect((await complete(['clean', '--a'])).candidates).toEqual(['--all-namespaces', '--as', '--as-group', '--all', '--any-user']);
  });

  it('offers nothing after the target, after --, or for commands without a target', async () => {
    expect((await complete(['pod/web-1', ''])).candidates).toEqual([]);
    expect((await complete(['pod/web-1', '--', 'ho'])).candidates).toEqual([]);
    expect((await complete(['version', ''])).candidates).toEqual([]);
  });

  it('does not touch the cluster to complete flags or flag values', async () => {
    const calls: string[] = [];
    const recording = (namespace: string) => memoryLookups(namespace, calls);
    await complete(['--t'], recording);
    await complete(['--ns', 'n'], recording);
    await complete(['--tools', ''], recording);
    expect(calls).toEqual([]);
  });

  it('completes a bare pod name even where it shares a prefix with a subcommand', async () => {
    expect((await complete(['d'])).candidates).toEqual(['diff', 'deployment/', 'daemonset/', 'db-0']);
  });

  it('keeps the fixed words when the cluster is unreachable, and reports an error for cluster-only slots', async () => {
    const down = (): Lookups => ({
      ...memoryLookups(),
      names: () => Promise.reject(new Error('connect ECONNREFUSED')),
      namespaces: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    expect((await complete(['l'], down)).candidates).toEqual(['list']);
    expect((await complete([''], down)).candidates).toContain('pod/');
    expect(await complete(['-n', ''], down)).toEqual({ candidates: [], directive: Directive.Error });
  });

  it('prints cobra-style output', () => {
    expect(formatCompletion({ candidates: ['a', 'b'], directive: 4 })).toBe('a\nb\n:4\n');
    expect(formatCompletion({ candidates: [], directive: 1 })).toBe(':1\n');
  });
});

describe('completion flags per subcommand', () => {
  it('ns takes no container; stats takes -c, --sandbox and --watch', async () => {
    const ns = (await complete(['ns', 'pod/web-1', '-'])).candidates;
    expect(ns).toContain('--output');
    expect(ns).not.toContain('--container');
    const stats = (await complete(['stats', 'pod/web-1', '-'])).candidates;
    expect(stats).toEqual(expect.arrayContaining(['--container', '--sandbox', '--watch', '-w', '--output']));
    expect((await complete(['stats', 'pod/web-1', '-c', ''])).candidates).toEqual(['app', 'sidecar']);
  });
});

describe('cp completion', () => {
  it('offers pod names followed by ":" with no space, and leaves local paths and container paths alone', async () => {
    const pods = await complete(['cp', 'web']);
    expect(pods.candidates).toEqual(['web-1:', 'web-2:']);
    expect(pods.directive & Directive.NoSpace).toBe(Directive.NoSpace);
    expect((await complete(['cp', 'pod/web'])).candidates).toEqual(['pod/web-1:', 'pod/web-2:']);
    expect(await complete(['cp', './loc'])).toEqual({ candidates: [], directive: Directive.Default });
    expect(await complete(['cp', 'web-1:/et'])).toEqual({ candidates: [], directive: Directive.NoFileComp });
    expect((await complete(['cp', './a', 'we'])).candidates).toEqual(['web-1:', 'web-2:']);
    expect((await complete(['cp', './a', '-'])).candidates).toEqual(expect.arrayContaining(['--preserve', '-p', '--container']));
  });
  it('diff takes a pod like stats, with -c and -o', async () => {
    expect((await complete(['diff', 'pod/web'])).candidates).toEqual(['pod/web-1', 'pod/web-2']);
    expect((await complete(['diff', 'pod/web-1', '-'])).candidates).toEqual(expect.arrayContaining(['--container', '--output']));
  });
});
