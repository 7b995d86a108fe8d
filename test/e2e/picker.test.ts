// The interactive picker end to end: the built plugin in a real terminal (tmux)
// against the real cluster. Keystrokes choose the pod, the container and the
// namespaces; the session must be in exactly what was chosen, the terminal must
// come back cooked, Esc must leave nothing behind, and bytes pass unchanged.
//
// The pods live in a namespace of their own, so the pod screen lists only them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyManifest,
  applyPod,
  buildSpreadDeployment,
  createNamespace,
  deleteNamespace,
  execInPod,
  getPod,
  kubectl,
  uniqueName,
  waitPodRunning,
  E2E_IMAGE,
  TOOLBOX_IMAGE,
  E2E_LABEL,
  type PodJson,
} from './helpers/cluster.js';
import { helperPods, nsdebug, TerminalSession, waitFor } from './helpers/nsdebug.js';

const NS = uniqueName('picker');
const duo = uniqueName('duo');
const web = uniqueName('web');
const crashy = uniqueName('crashy');
const annotated = uniqueName('annot');
const catchme = uniqueName('catchme');
const fleet = uniqueName('fleet');
const TARGETS = [duo, web, crashy, annotated, catchme];
let duoPod: PodJson;
let crashyPod: PodJson;

// The plugin's environment, passed to tmux explicitly: a tmux server started
// earlier (by another test file) would otherwise hand the pane its own PATH.
const env = (): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  KUBECONFIG: process.env.KUBECONFIG ?? '',
  NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? E2E_IMAGE,
});

// Constant scripts: run the plugin with the test's argv, then print its exit
// status (and, for one test, how it left the terminal). The status is read from
// the screen: tmux does not always reap a pane's program (it stays a zombie and
// #{pane_dead_status} stays empty), so waitForExit can't be relied on for it.
const THEN_STATUS = ['sh', '-c', 'kubectl nsdebug "$@"; echo "nsdebug exited $?"', 'sh'];
const THEN_STTY = ['sh', '-c', 'kubectl nsdebug "$@"; echo "nsdebug exited $?"; stty -a', 'sh'];

function startPlugin(args: readonly string[], script = THEN_STATUS): Promise<TerminalSession> {
  return TerminalSession.start([...script, ...args], { width: 160, height: 40, env: env() });
}

/** The plugin's exit status, once the wrapper script has printed it. */
async function exitStatus(term: TerminalSession, timeoutMs = 60_000): Promise<number> {
  const screen = await term.waitForScreen(/^nsdebug exited \d+$/m, timeoutMs);
  return Number(/^nsdebug exited (\d+)$/m.exec(screen)![1]);
}

/**
 * Waits for `pattern` on the screen, failing at once (not at the timeout) when
 * the plugin exits first, e.g. with an error line.
 */
async function waitScreen(term: TerminalSession, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const flags = pattern.flags.includes('m') ? pattern.flags : `${pattern.flags}m`;
  const screen = await term.waitForScreen(new RegExp(`(?:${pattern.source})|^nsdebug exited \\d+$`, flags), timeoutMs);
  if (!pattern.test(screen)) throw new Error(`the plugin exited before ${pattern} showed; screen was:\n${screen}`);
  return screen;
}

function pod(name: string, containers: Array<{ name: string; command: string[] }>, annotations: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { [E2E_LABEL.key]: E2E_LABEL.value }, annotations },
    spec: {
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      containers: containers.map((c) => ({ name: c.name, image: E2E_IMAGE, imagePullPolicy: 'Never', command: c.command })),
    },
  };
}

/** Escapes text for use inside a RegExp. */
const re = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const PROMPT = /\] #\s*$/m;
let marks = 0;

/**
 * Runs one shell command line in the session and returns the lines it printed,
 * found between two markers (the markers are typed split in quotes, so the
 * echoed command line itself never matches them).
 */
async function runInSession(term: TerminalSession, command: string): Promise<string[]> {
  const n = ++marks;
  await term.type(`echo "<""<b${n}"; ${command}; echo "<""<e${n}"\r`);
  const screen = await waitScreen(term, new RegExp(`^<<e${n}$`, 'm'), 30_000);
  const lines = screen.split('\n');
  const start = lines.indexOf(`<<b${n}`);
  const end = lines.indexOf(`<<e${n}`);
  return lines.slice(start + 1, end).map((l) => l.trimEnd());
}

beforeAll(async () => {
  await createNamespace(NS);
  await Promise.all([
    applyPod(pod(duo, [
      { name: 'app', command: ['sleep', '3600'] },
      { name: 'sidecar', command: ['sleep', '7777'] },
    ])),
    applyPod(pod(web, [{ name: 'main', command: ['sleep', '3600'] }])),
    applyPod(pod(annotated, [
      { name: 'app', command: ['sleep', '3600'] },
      { name: 'sidecar', command: ['sleep', '7777'] },
    ], { 'kubectl.kubernetes.io/default-container': 'sidecar' })),
    applyPod(pod(crashy, [
      { name: 'app', command: ['sh', '-c', 'exit 1'] },
      { name: 'side', command: ['sleep', '3600'] },
    ])),
  ]);
  duoPod = await waitPodRunning(duo, { namespace: NS, timeoutMs: 120_000 });
  await waitPodRunning(web, { namespace: NS, timeoutMs: 120_000 });
  await waitPodRunning(annotated, { namespace: NS, timeoutMs: 120_000 });
  // Crash-looping: restarted at least once and now backing off, while `side` runs.
  crashyPod = await waitFor('crashy to crash-loop', async () => {
    const p = await getPod(crashy, NS);
    const app = p.status.containerStatuses?.find((s) => s.name === 'app') as
      | { restartCount?: number; state?: { waiting?: { reason?: string } } }
      | undefined;
    const side = p.status.containerStatuses?.find((s) => s.name === 'side');
    const looping = (app?.restartCount ?? 0) >= 1 && app?.state?.waiting?.reason === 'CrashLoopBackOff';
    return p.status.podIP && side?.ready && looping ? p : undefined;
  }, 120_000, 500);
}, 300_000);

afterAll(async () => {
  await deleteNamespace(NS);
});

afterEach(async () => {
  expect(await helperPods(TARGETS)).toEqual([]);
});

describe('kubectl nsdebug in a terminal: the picker', () => {
  it('no arguments: pick the pod (filter), the sidecar, net+pid+uts; the session is in exactly that; the terminal comes back cooked', async () => {
    const term = await startPlugin(['-n', NS], THEN_STTY);
    try {
      // Pod screen: the four pods of the namespace; typing filters.
      await waitScreen(term, new RegExp(`Pods in namespace ${re(NS)}[\\s\\S]*1–4 of 4`), 60_000);
      await term.type('duo');
      await waitScreen(term, /1–1 of 1 \(filtered from 4\)/);
      await term.keys('Enter');

      // Container screen: app first (the default), then sidecar, then the sandbox.
      await waitScreen(term, new RegExp(`Containers of ${re(NS)}/${re(duo)}[\\s\\S]*› +app`), 60_000);
      await term.keys('Down');
      await waitScreen(term, /› +sidecar/);
      await term.keys('Enter');

      // Namespace screen: preset n (net only), then toggle pid and uts.
      await waitScreen(term, new RegExp(`Namespaces to enter: ${re(NS)}/${re(duo)}, container sidecar`), 60_000);
      await term.type('n');
      await waitScreen(term, new RegExp(`\\$ kubectl nsdebug pod/${re(duo)} -n ${re(NS)} -c sidecar --ns net$`, 'm'));
      await term.keys('Down', 'Space', 'Down', 'Down', 'Space');
      const equivalent = `kubectl nsdebug pod/${duo} -n ${NS} -c sidecar --ns net,pid,uts`;
      await waitScreen(term, new RegExp(`\\$ ${re(equivalent)}$`, 'm'));
      await term.keys('Enter');

      await waitScreen(term, new RegExp(`^\\[pod/${re(duo)}:sidecar\\] #\\s*$`, 'm'), 90_000);
      // The equivalent command stays on screen above the session.
      expect(await term.screen()).toContain(`✓ ${equivalent}`);

      expect(await runInSession(term, 'hostname')).toEqual([duo]);
      const addr = (await runInSession(term, 'ip -o -4 addr show eth0')).join(' ');
      expect(addr).toContain(`inet ${duoPod.status.podIP}/`);
      const ps = await runInSession(term, 'ps -o args');
      expect(ps).toContain('sleep 7777');
      expect(ps).not.toContain('sleep 3600');

      await term.type('exit\r');
      expect(await exitStatus(term)).toBe(0);
      const after = await term.waitForScreen(/^nsdebug exited 0$[\s\S]*\bisig\b/m);
      const stty = after.slice(after.lastIndexOf('nsdebug exited'));
      expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
      expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
      expect(stty).not.toMatch(/(^|\s)-icanon(\s|$)/m);
      expect(stty).not.toMatch(/(^|\s)-echo(\s|$)/m);
    } finally {
      await term.kill();
    }
  });

  it('the default-container annotation answers the container question: no container screen, a note says what was chosen and how to pick another', async () => {
    const term = await startPlugin(['-n', NS, `pod/${annotated}`]);
    try {
      await waitScreen(term, new RegExp(`Namespaces to enter: ${re(NS)}/${re(annotated)}, container sidecar`), 60_000);
      expect(await term.screen()).not.toContain('Containers of');
      await term.keys('Enter');
      await waitScreen(term, new RegExp(`^\\[pod/${re(annotated)}:sidecar\\] #\\s*$`, 'm'), 90_000);
      expect(await term.screen()).toMatch(/using container "sidecar" \(kubectl\.kubernetes\.io\/default-container\); others: app; pick one with -c/);
      await term.type('exit\r');
      expect(await exitStatus(term)).toBe(0);
    } finally {
      await term.kill();
    }
  });

  it('Esc on the namespace screen exits 130 and removes the helper that was already being created', async () => {
    const term = await startPlugin(['-n', NS, `pod/${web}`]);
    try {
      await waitScreen(term, new RegExp(`Namespaces to enter: ${re(NS)}/${re(web)}, container main`), 60_000);
      // The helper exists while the user is still on the screen...
      await waitFor('the helper to be created', async () => ((await helperPods([web])).length === 1 ? true : undefined), 60_000);
      // ...and once it runs, its agent marks what the pod shares with the node.
      await waitScreen(term, /user +user and group ids +shared with the node/, 90_000);
      await term.keys('Escape');
      expect(await exitStatus(term)).toBe(130);
      expect(await helperPods([web])).toEqual([]);
      const screen = await term.screen();
      expect(screen).not.toContain('Namespaces to enter');
      expect(screen).toMatch(/cancelled/);
    } finally {
      await term.kill();
    }
  });

  it('a 0xFF byte and Ctrl-C reach the remote program unchanged', async () => {
    const term = await startPlugin(['-n', NS, `pod/${web}`]);
    try {
      await waitScreen(term, new RegExp(`\\$ kubectl nsdebug pod/${re(web)} -n ${re(NS)} -c main$`, 'm'), 60_000);
      await term.keys('Enter');
      await waitScreen(term, new RegExp(`^\\[pod/${re(web)}:main\\] #\\s*$`, 'm'), 90_000);

      // Once "ready" is printed the shell's line editor is done: the byte goes to od.
      await term.type('echo ready; od -An -tx1\r');
      await waitScreen(term, /^ready$/m);
      await term.hex('ff');
      await term.keys('Enter', 'C-d');
      await waitScreen(term, /^ ff 0a\s*$/m);

      // Ctrl-C is a byte for the remote terminal, which turns it into SIGINT there.
      await term.type(`sh -c 'trap "echo got-int; exit 0" INT; echo armed; while :; do sleep 1; done'\r`);
      await waitScreen(term, /^armed$/m);
      await term.keys('C-c');
      await waitScreen(term, /^(\^C)?got-int$/m);
      // The plugin and the shell are still there.
      expect(await runInSession(term, 'echo alive')).toEqual(['alive']);
      await term.type('exit\r');
      expect(await exitStatus(term)).toBe(0);
    } finally {
      await term.kill();
    }
  });

  it('a crash-looping container: choosing it offers the sandbox (s), and the session is in the sandbox\'s net namespace', async () => {
    const term = await startPlugin(['-n', NS, `pod/${crashy}`]);
    try {
      await waitScreen(term, new RegExp(`Containers of ${re(NS)}/${re(crashy)}[\\s\\S]*pod sandbox \\(pause\\)`), 60_000);
      expect(await term.screen()).toMatch(/✗ app +\S+ +(waiting: CrashLoopBackOff|terminated: Error) /);
      await term.keys('Up', 'Up');
      await waitScreen(term, /› ✗ app/);
      await term.keys('Enter');
      // It will start again: the screen offers to catch that start, or the sandbox (s).
      await waitScreen(term, /app is (CrashLoopBackOff|Error): \d+ restarts?, last exit 1 \(Error\)/);
      await waitScreen(term, /^ +s +enter the pod sandbox instead \([a-z, ]+\)$/m);
      await term.type('s');

      await waitScreen(term, new RegExp(`Namespaces to enter: ${re(NS)}/${re(crashy)}, the pod sandbox`), 60_000);
      expect(await term.screen()).toMatch(/\[-\] mnt +.*not held by the sandbox/);
      await term.type('n');
      await waitScreen(term, new RegExp(`\\$ kubectl nsdebug pod/${re(crashy)} -n ${re(NS)} --sandbox --ns net$`, 'm'));
      await term.keys('Enter');
      await waitScreen(term, new RegExp(`^\\[pod/${re(crashy)}:sandbox\\] #\\s*$`, 'm'), 90_000);

      const addr = (await runInSession(term, 'ip -o -4 addr show eth0')).join(' ');
      expect(addr).toContain(`inet ${crashyPod.status.podIP}/`);
      const [inode] = await runInSession(term, 'readlink /proc/self/ns/net');
      const side = await execInPod(crashy, ['readlink', '/proc/self/ns/net'], { namespace: NS, container: 'side' });
      expect(side.code).toBe(0);
      expect(inode).toMatch(/^net:\[\d+\]$/);
      expect(`${inode}\n`).toBe(side.stdout);

      await term.type('exit\r');
      expect(await exitStatus(term)).toBe(0);
    } finally {
      await term.kill();
    }
  });
});

describe('kubectl nsdebug in a terminal: catch and all pods', () => {
  it('the only container crash-loops: the container screen shows it and offers to catch its next start; the session is in the frozen container; the crash loop goes on', async () => {
    const manifest = pod(catchme, [{ name: 'app', command: ['sh', '-c', 'echo started; echo "mode=$APP_MODE"; sleep 0.3; exit 1'] }]) as { spec: { containers: Array<Record<string, unknown>> } };
    manifest.spec.containers[0]!.env = [{ name: 'APP_MODE', value: 'picker-catch' }];
    await applyPod(manifest);
    const crashed = await waitFor('catchme to crash once', async () => {
      const p = await getPod(catchme, NS);
      const app = p.status.containerStatuses?.[0] as { restartCount?: number; lastState?: { terminated?: unknown } } | undefined;
      return app?.lastState?.terminated ? (app.restartCount ?? 0) : undefined;
    }, 120_000, 500);

    // Target tools, the catch default, take an image with setpriv (the toolbox).
    const term = await startPlugin(['-n', NS, '--image', TOOLBOX_IMAGE, `pod/${catchme}`]);
    try {
      await waitScreen(term, new RegExp(`Containers of ${re(NS)}/${re(catchme)}[\\s\\S]*› ✗ app +\\S+ +(waiting: CrashLoopBackOff|terminated: Error) +\\d+ +1 \\(Error\\)`), 60_000);
      await term.keys('Enter');
      await waitScreen(term, /^ +enter\/c +catch its next start: freeze it as its program starts, then enter it \(--catch\)$/m);
      await term.keys('Enter');

      await waitScreen(term, new RegExp(`Namespaces to enter: ${re(NS)}/${re(catchme)}, container app, caught at its next start`), 60_000);
      const equivalent = `kubectl nsdebug pod/${catchme} -n ${NS} -c app --catch --image ${TOOLBOX_IMAGE}`;
      await waitScreen(term, new RegExp(`\\$ ${re(equivalent)}$`, 'm'));
      await term.keys('Enter');

      // Waits for the kubelet's back-off, freezes the start, enters it (target tools: its own sh and environment).
      await waitScreen(term, new RegExp(`^\\[pod/${re(catchme)}:app\\] #\\s*$`, 'm'), 120_000);
      const screen = await term.screen();
      expect(screen).toContain(`✓ ${equivalent}`);
      expect(screen).toMatch(/caught app \d+ ms after its process started/);
      expect(await runInSession(term, 'tr "\\0" " " </proc/1/cmdline; echo')).toEqual(['sh -c echo started; echo "mode=$APP_MODE"; sleep 0.3; exit 1']);
      expect(await runInSession(term, 'echo "mode=$APP_MODE"')).toEqual(['mode=picker-catch']);

      await term.type('exit\r');
      expect(await exitStatus(term)).toBe(0);
      expect(await term.screen()).toMatch(/thawed app after [\d.]+s frozen: its crash loop goes on/);
      // Thawed, it runs on: the caught start ends and the kubelet restarts it again.
      const restarts = async () => ((await getPod(catchme, NS)).status.containerStatuses?.[0] as { restartCount?: number } | undefined)?.restartCount ?? 0;
      const after = await restarts();
      expect(after).toBeGreaterThanOrEqual(crashed);
      await waitFor('the restart count to grow again', async () => ((await restarts()) > after ? true : undefined), 90_000, 1000);
    } finally {
      await term.kill();
    }
  }, 240_000);

  it('a deployment\'s pods with a COMMAND: the "all pods" row runs it in every pod (--all-pods); no helper remains', async () => {
    await applyManifest(buildSpreadDeployment(fleet, { replicas: 2, namespace: NS, strict: false }));
    await kubectl(['-n', NS, 'rollout', 'status', `deployment/${fleet}`, '--timeout=120s'], { timeoutMs: 130_000 });
    const names = (await kubectl(['-n', NS, 'get', 'pods', '-l', `app=${fleet}`, '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/).sort();
    expect(names).toHaveLength(2);

    const term = await startPlugin(['-n', NS, `deploy/${fleet}`, '--', 'hostname']);
    try {
      await waitScreen(term, new RegExp(`Pods of deployment/${re(fleet)} in namespace ${re(NS)}[\\s\\S]*all pods \\(2\\) +run the command in each of them \\(--all-pods\\)`), 60_000);
      await term.keys('Down', 'Down');
      await waitScreen(term, /› all pods \(2\)/);
      await term.keys('Enter');
      expect(await exitStatus(term, 120_000)).toBe(0);
      const screen = await term.screen();
      expect(screen).toContain(`✓ kubectl nsdebug deployment/${fleet} -n ${NS} --all-pods -- hostname`);
      // Each pod answers with its own hostname (its name), prefixed with it.
      for (const name of names) expect(screen).toMatch(new RegExp(`^${re(name)} \\| ${re(name)}$`, 'm'));
      expect(await helperPods(names)).toEqual([]);
    } finally {
      await term.kill();
      await kubectl(['-n', NS, 'delete', 'deployment', fleet, '--wait=false']).catch(() => undefined);
    }
  }, 240_000);
});

// Figures for the note, not a check of speed: NSDEBUG_E2E_TIMING=1 npx vitest run --project e2e test/e2e/picker.test.ts -t figures
describe.skipIf(process.env.NSDEBUG_E2E_TIMING !== '1')('figures', () => {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  /** Enter on the namespace screen (net,uts chosen) to the prompt; `ready` waits for the helper first. */
  async function enterToPrompt(ready: boolean): Promise<number> {
    const term = await startPlugin(['-n', NS, `pod/${web}`]);
    try {
      await waitScreen(term, /Namespaces to enter/, 60_000);
      await term.type('n');
      await term.keys('Down', 'Down', 'Down', 'Space');
      await waitScreen(term, new RegExp(`\\$ kubectl nsdebug pod/${re(web)} -n ${re(NS)} -c main --ns net,uts$`, 'm'));
      if (ready) await waitScreen(term, /shared with the node/, 90_000);
      const t0 = performance.now();
      await term.keys('Enter');
      await waitScreen(term, PROMPT, 90_000);
      const ms = performance.now() - t0;
      await term.type('exit\r');
      expect(await exitStatus(term)).toBe(0);
      return ms;
    } finally {
      await term.kill();
    }
  }

  it('enter to prompt, and the non-interactive start of the same session', async () => {
    const figures: Record<string, number[]> = { pickerAtOnce: [], pickerHelperReady: [], nonInteractive: [] };
    for (let i = 0; i < 5; i++) {
      figures.pickerAtOnce!.push(await enterToPrompt(false));
      figures.pickerHelperReady!.push(await enterToPrompt(true));
      const t0 = performance.now();
      const result = await nsdebug(['-n', NS, `pod/${web}`, '--ns', 'net,uts', '--', 'true']);
      figures.nonInteractive!.push(performance.now() - t0);
      expect(result.code).toBe(0);
    }
    const report = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, { medianMs: Math.round(median(v)), runsMs: v.map(Math.round) }]));
    console.log(JSON.stringify(report, null, 2));
  }, 900_000);
});
