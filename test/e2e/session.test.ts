// The core job, end to end on the real cluster: `kubectl nsdebug` creates a
// helper on the node, finds the target's PID, enters the chosen namespaces,
// and removes the helper on every way out.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyPod, buildPod, deletePod, getPod, TOOLBOX_IMAGE, uniqueName, waitPodRunning, type PodJson } from './helpers/cluster.js';
import { helperPods, nsdebug, PROMPT, TerminalSession, waitFor } from './helpers/nsdebug.js';

const web = uniqueName('web');
const duo = uniqueName('duo');
const crashy = uniqueName('crashy');
const TARGETS = [web, duo, crashy];
let webPod: PodJson;
let crashyPod: PodJson;

beforeAll(async () => {
  await Promise.all([
    applyPod(buildPod(web, [{ name: 'app', command: ['sh', '-c', 'echo target-only > /etc/marker && exec httpd -f -p 8080'] }])),
    applyPod(buildPod(duo, [
      { name: 'app', command: ['sleep', '3600'] },
      { name: 'sidecar', command: ['sleep', '7777'] },
    ])),
    applyPod(buildPod(crashy, [{ name: 'app', command: ['sh', '-c', 'exit 1'] }])),
  ]);
  webPod = await waitPodRunning(web);
  await waitPodRunning(duo);
  crashyPod = await waitFor('crashy to have crashed', async () => {
    const p = await getPod(crashy);
    const status = p.status.containerStatuses?.[0] as { restartCount?: number } | undefined;
    return p.status.podIP && (status?.restartCount ?? 0) >= 1 ? p : undefined;
  }, 60_000, 500);
}, 120_000);

afterAll(async () => {
  await Promise.all([deletePod(web), deletePod(duo), deletePod(crashy)]);
});

afterEach(async () => {
  expect(await helperPods(TARGETS)).toEqual([]);
});

describe('kubectl nsdebug pod/x -- COMMAND', () => {
  it('--ns net shows the pod IP on eth0', async () => {
    const result = await nsdebug([`pod/${web}`, '--ns', 'net', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`inet ${webPod.status.podIP}/`);
  });

  it('--ns uts prints the pod name as hostname, and stdout carries nothing else', async () => {
    const result = await nsdebug([`pod/${web}`, '--ns', 'uts', '--', 'hostname']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${web}\n`);
    expect(result.stderr).toContain('nsdebug:');
  });

  it('--ns pid shows the target\'s processes, not the helper\'s or the node\'s', async () => {
    const result = await nsdebug([`pod/${web}`, '--ns', 'pid', '--', 'ps', '-o', 'pid,args']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s*1\s+httpd -f -p 8080$/m);
    expect(result.stdout).not.toMatch(/agent\.sh|kubelet|containerd|kube-apiserver|sleep 3600/);
  });

  it('--tools target reads a file only the target has', async () => {
    const result = await nsdebug([`pod/${web}`, '--tools', 'target', '--image', TOOLBOX_IMAGE, '--', 'cat', '/etc/marker']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('target-only\n');
  });

  it('helper tools see the target filesystem at $NSDEBUG_TARGET_ROOT, with and without pid', async () => {
    for (const ns of ['net', 'pid,net']) {
      const result = await nsdebug([`pod/${web}`, '--ns', ns, '--', 'sh', '-c', 'cat "$NSDEBUG_TARGET_ROOT/etc/marker"']);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('target-only\n');
    }
  });

  it('-c sidecar --ns pid sees the sidecar\'s processes; both containers share one net namespace', async () => {
    const sidecar = await nsdebug([`pod/${duo}`, '-c', 'sidecar', '--ns', 'pid', '--', 'ps', '-o', 'args']);
    expect(sidecar.code).toBe(0);
    expect(sidecar.stdout).toContain('sleep 7777');
    expect(sidecar.stdout).not.toContain('sleep 3600');
    const [appNet, sideNet] = await Promise.all(
      ['app', 'sidecar'].map((c) => nsdebug([`pod/${duo}`, '-c', c, '--ns', 'net', '--', 'readlink', '/proc/self/ns/net'])),
    );
    expect(appNet!.stdout).toMatch(/^net:\[\d+\]\n$/);
    expect(appNet!.stdout).toBe(sideNet!.stdout);
  });

  it('a pod with several containers names the one it chose on stderr', async () => {
    const result = await nsdebug([`pod/${duo}`, '--ns', 'uts', '--', 'hostname']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('using "app"');
    expect(result.stderr).toContain('others: sidecar');
  });

  it('a crash-looping container: enters the sandbox, says so, and shows the pod IP', async () => {
    const result = await nsdebug([`pod/${crashy}`, '--ns', 'net', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/container "app" is not running \((CrashLoopBackOff|Error|Completed)\); entering the pod sandbox/);
    expect(result.stdout).toContain(`inet ${crashyPod.status.podIP}/`);
    const explicit = await nsdebug([`pod/${crashy}`, '--sandbox', '--ns', 'net', '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
    expect(explicit.code).toBe(0);
    expect(explicit.stdout).toBe(result.stdout);
  });

  it('returns the remote exit status', async () => {
    const result = await nsdebug([`pod/${web}`, '--ns', 'uts', '--', 'sh', '-c', 'exit 7']);
    expect(result.code).toBe(7);
  });

  it('passes stdin with -i', async () => {
    const result = await nsdebug([`pod/${web}`, '-i', '--ns', 'uts', '--', 'cat'], { input: 'hi\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hi\n');
  });
});

describe('an interactive session in a real terminal', () => {
  it('answers hostname, follows the window size, and exits with the shell\'s status', async () => {
    const term = await TerminalSession.start(['kubectl', 'nsdebug', `pod/${web}`, '--no-pick'], { width: 100, height: 30 });
    try {
      await term.waitForScreen(PROMPT, 60_000);
      await term.type('hostname\r');
      await term.waitForScreen(new RegExp(`^${web}\\s*$`, 'm'));
      await term.type('stty size\r');
      await term.waitForScreen(/^30 100\s*$/m);
      await term.resize(120, 40);
      await new Promise((r) => setTimeout(r, 300));
      await term.type('stty size\r');
      await term.waitForScreen(/^40 120\s*$/m);
      await term.type('exit 3\r');
      expect(await term.waitForExit()).toBe(3);
    } finally {
      await term.kill();
    }
  });
});
