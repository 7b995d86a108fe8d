// Installs the release archive with the real krew (built from sigs.k8s.io/krew
// by tools/krew/build.sh) into a temporary KREW_ROOT, then uses the installed
// copy through kubectl against the real cluster, then uninstalls it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, applyPod, buildBusyboxPod, deletePod, run, uniqueName, waitPodRunning } from './helpers/cluster.js';
import { helperPods } from './helpers/nsdebug.js';

const pod = uniqueName('krew');
const scratch = mkdtempSync(join(tmpdir(), 'nsdebug-krew-'));
const krewRoot = join(scratch, 'krew-root');
const version = `v${(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}`;
let env: NodeJS.ProcessEnv;
let archive: string;

/** The caller's PATH without the repository's plugin/, so `kubectl nsdebug` can only be krew's copy. */
function pathWithoutRepoPlugin(): string[] {
  return (process.env.PATH ?? '').split(delimiter).filter((dir) => dir && !dir.startsWith(join(REPO_ROOT, 'plugin')));
}

function kubectl(args: readonly string[]) {
  return run('kubectl', args, { env, timeoutMs: 120_000 });
}

beforeAll(async () => {
  const krewBin = (await promisify(execFile)('sh', [join(REPO_ROOT, 'tools/krew/build.sh')], { timeout: 600_000 })).stdout.trim();
  const packaged = await promisify(execFile)(process.execPath, [
    join(REPO_ROOT, 'scripts/package.mjs'), '--out', join(scratch, 'dist'), '--no-manifest',
  ], { cwd: REPO_ROOT });
  archive = (JSON.parse(packaged.stdout) as { archive: string }).archive;
  env = {
    ...process.env,
    KREW_ROOT: krewRoot,
    PATH: [join(krewRoot, 'bin'), krewBin, ...pathWithoutRepoPlugin()].join(delimiter),
  };
  // krew uninstall refuses to run before `kubectl krew update` has cloned the index,
  // which needs the network: an empty git repository stands in for it.
  const index = join(krewRoot, 'index', 'default');
  mkdirSync(join(index, 'plugins'), { recursive: true });
  await promisify(execFile)('git', ['init', '-q', index]);
  await applyPod(buildBusyboxPod(pod));
  await waitPodRunning(pod);
}, 600_000);

afterAll(async () => {
  await deletePod(pod);
  rmSync(scratch, { recursive: true, force: true });
});

describe('krew install of the release archive', () => {
  it('installs from the manifest and the local archive', async () => {
    const result = await kubectl([
      'krew', 'install', `--manifest=${join(REPO_ROOT, 'krew-manifest.yaml')}`, `--archive=${archive}`,
    ]);
    // A stale manifest shows up here as a sha256 mismatch (test/unit/krew-manifest.test.ts says the same).
    expect(result.stderr, `krew install failed (stale manifest? run npm run package): ${result.stderr}`)
      .toContain('Installed plugin: nsdebug');
    expect(result.code).toBe(0);
    expect(existsSync(join(krewRoot, 'store', 'nsdebug', version, 'LICENSE'))).toBe(true);
  });

  it('kubectl plugin list shows the installed kubectl-nsdebug', async () => {
    const result = await kubectl(['plugin', 'list', '--name-only']);
    expect(result.stdout.split('\n')).toContain('kubectl-nsdebug');
    // Only krew's copy is on PATH, so nothing shadows it.
    expect(result.stderr).not.toContain('overshadowed');
    const paths = await kubectl(['plugin', 'list']);
    expect(paths.stdout).toContain(join(krewRoot, 'bin', 'kubectl-nsdebug'));
  });

  it('kubectl nsdebug version prints the manifest version', async () => {
    const result = await kubectl(['nsdebug', 'version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`kubectl-nsdebug ${version}`);
    expect((await kubectl(['nsdebug', '--version'])).stdout.trim()).toBe(version);
  });

  it('kubectl nsdebug pod/x --ns uts -- hostname runs against the cluster', async () => {
    const result = await kubectl(['nsdebug', `pod/${pod}`, '--ns', 'uts', '--', 'hostname']);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pod);
    expect(await helperPods()).toEqual([]);
  });

  it('completes through the shipped helper once copied next to the plugin, as the caveats say', async () => {
    copyFileSync(join(krewRoot, 'store', 'nsdebug', version, 'kubectl_complete-nsdebug'), join(krewRoot, 'bin', 'kubectl_complete-nsdebug'));
    const result = await kubectl(['__complete', 'nsdebug', 'pod/']);
    expect(result.stdout.split('\n')).toContain(`pod/${pod}`);
  });

  it('kubectl krew uninstall nsdebug removes it', async () => {
    const result = await kubectl(['krew', 'uninstall', 'nsdebug']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Uninstalled plugin: nsdebug');
    expect(existsSync(join(krewRoot, 'bin', 'kubectl-nsdebug'))).toBe(false);
    expect(existsSync(join(krewRoot, 'store', 'nsdebug'))).toBe(false);
    const list = await kubectl(['plugin', 'list', '--name-only']);
    expect(list.stdout.split('\n')).not.toContain('kubectl-nsdebug');
  });
});
