// Benchmarks (not tests): wall-clock medians of whole commands, as a user runs
// them, measured side by side in one run: each round runs every command of its
// group once, in a rotating order, so a busy machine slows all of them alike and
// the ratios hold. Each figure is printed with its ratio next to issue 12's goal.
//
//   node bench/run.mjs [all]             everything below (the picker only with NSDEBUG_BENCH_PICKER=1)
//   node bench/run.mjs startup           --help and version against `node -e 0`
//   node bench/run.mjs session [POD]     kubectl exec, by hand, kubectl debug node/, nsdebug cold
//   node bench/run.mjs picker            the picker's first pod screen with 5,000 pods (tmux)
//   node bench/run.mjs rss [POD]         peak RSS of the plugin during an interactive session (tmux)
//   node bench/run.mjs cp [POD]          200 MB in and out: nsdebug cp against kubectl cp (busybox: has tar)
//   bench/trace-requests.mjs             a request log (NODE_OPTIONS=--import) for the time breakdown of one run
//
// env: NSDEBUG_BENCH_RUNS      rounds (default 5; start-up runs 3x as many, it is cheap and noisy)
//      NSDEBUG_BENCH_PICKER=1  include the picker in `all` (it creates and deletes 5,000 pods: ~1-2 min)
//      NSDEBUG_BENCH_PODS      pods for the picker (default 5000)
//      KUBECONFIG              default <repo>/.e2e/kubeconfig (the local cluster: npm run cluster:up)
// Needs `npm run build`. On a machine shared with other cluster users, run it under their lock
// (`flock /tmp/nsdebug-cluster.lock npm run bench`). Everything it creates carries the e2e label
// nsdebug.dev/e2e=true (the leak check finds strays) and is deleted before it exits; a POD given
// on the command line is used as is and kept.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const IMAGE = 'localhost/nsdebug/busybox:e2e';
const E2E_LABEL = { 'nsdebug.dev/e2e': 'true', 'nsdebug.dev/bench': 'true' };
const RUNS = positiveInt(process.env.NSDEBUG_BENCH_RUNS, 5, 'NSDEBUG_BENCH_RUNS');
const PICKER_PODS = positiveInt(process.env.NSDEBUG_BENCH_PODS, 5000, 'NSDEBUG_BENCH_PODS');
const env = {
  ...process.env,
  KUBECONFIG: process.env.KUBECONFIG ?? join(root, '.e2e', 'kubeconfig'),
  NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? IMAGE,
  PATH: [join(root, 'plugin'), process.env.PATH].join(delimiter),
};
const plugin = join(root, 'plugin', 'kubectl-nsdebug');
const scratch = mkdtempSync(join(tmpdir(), 'nsdebug-bench-'));
const started = Date.now();
const stamp = started.toString(36);
const rows = []; // the final table
const cleanups = []; // run in reverse on the way out, whatever happened

function positiveInt(text, fallback, name) {
  if (text === undefined || text === '') return fallback;
  if (!/^[1-9]\d*$/.test(text)) fail(`${name}=${text} is not a positive integer; unset it or give a count such as 5`);
  return Number(text);
}

function fail(message) {
  console.error(`bench: error: ${message}`);
  process.exit(2);
}

function progress(message) {
  process.stderr.write(`bench: ${message}\n`);
}

// ---- running and timing --------------------------------------------------------------------

/** Runs argv to completion; returns its result and wall time in ms. */
function timed(argv, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, ...result };
}

function kubectl(...args) {
  return execFileSync('kubectl', args, { env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function kubectlInput(input, ...args) {
  return execFileSync('kubectl', args, { env, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1), n: sorted.length };
}

/**
 * Side by side: `rounds` rounds, each running every case once (order rotated
 * per round), after one untimed warm-up round. A case returns its time in ms
 * (it may time only part of what it does) or throws.
 */
function sideBySide(cases, rounds) {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let round = -1; round < rounds; round++) {
    const roundStart = Date.now();
    const order = cases.map((_, i) => cases[(i + Math.max(round, 0)) % cases.length]);
    for (const c of order) {
      const ms = c.run();
      if (round >= 0) samples.get(c.name).push(ms);
    }
    // Only slow rounds are worth a line.
    if (Date.now() - roundStart > 2000) progress(round < 0 ? 'warm-up round done' : `round ${round + 1}/${rounds} done`);
  }
  return Object.fromEntries([...samples].map(([name, s]) => [name, stats(s)]));
}

/** A case that times argv and checks it exited 0 (and printed `expect`, when given). */
function commandCase(name, argv, expect) {
  return {
    name,
    argv,
    run() {
      const r = timed(argv);
      if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`);
      if (expect !== undefined && r.stdout.trim() !== expect) throw new Error(`${argv.join(' ')} printed '${r.stdout.trim()}', expected '${expect}'`);
      return r.ms;
    },
  };
}

// ---- the table --------------------------------------------------------------------------

const fmtS = (ms) => `${(ms / 1000).toFixed(2)} s`;
const fmtMs = (ms) => `${ms.toFixed(0)} ms`;

/** A measured row, with goals: [{ratio to what (label), reference stats, max ratio}]. */
function addRow(what, t, { format = fmtS, goals = [], absolute, command } = {}) {
  rows.push({ what, value: `${format(t.median)}`, spread: `${format(t.min)}–${format(t.max)}, n=${t.n}`, command, checks: [
    ...goals.map(({ label, ref, max }) => {
      const ratio = t.median / ref.median;
      // Without a max, the ratio is for information only.
      return { text: `${ratio.toFixed(2)}× ${label}`, goal: max ? `≤ ${max.toFixed(1)}×` : '', pass: max ? ratio <= max : null };
    }),
    ...(absolute ? [{ text: '', goal: absolute.text, pass: t.median < absolute.max }] : []),
  ] });
}

function addNote(what, value, goal) {
  rows.push({ what, value, spread: '', checks: goal ? [{ text: '', goal, pass: undefined }] : [] });
}

function printTable() {
  const lines = [['figure', 'median', 'range', 'ratio', 'goal', '']];
  for (const row of rows) {
    const [first, ...more] = row.checks.length ? row.checks : [{ text: '', goal: '', pass: null }];
    const verdict = (c) => (c.pass === true ? 'PASS' : c.pass === false ? 'FAIL' : c.pass === undefined ? '—' : '');
    lines.push([row.what, row.value, row.spread, first.text, first.goal, verdict(first)]);
    for (const c of more) lines.push(['', '', '', c.text, c.goal, verdict(c)]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const out = lines.map((l) => l.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  console.log(`\n${out.join('\n')}`);
  const commands = rows.filter((r) => r.command);
  if (commands.length) console.log(`\ncommands:\n${commands.map((r) => `  ${r.what}: ${r.command}`).join('\n')}`);
}

// ---- cluster objects --------------------------------------------------------------------

function clusterAnswers() {
  return timed(['kubectl', 'get', '--raw', '/readyz', '--request-timeout=5s']).status === 0;
}

function requireCluster() {
  if (!clusterAnswers()) fail(`the cluster does not answer (KUBECONFIG=${env.KUBECONFIG}); bring it up with npm run cluster:up`);
}

function requireBuild() {
  try {
    readFileSync(join(root, 'dist', 'kubectl-nsdebug.mjs'));
  } catch {
    fail('no build in dist/; run npm run build first');
  }
}

/** A busybox pod; pinned to a node and privileged with hostPID when `node` is given (the by-hand helper). */
function buildPod(name, { node, namespace = 'default', schedulerName } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: E2E_LABEL },
    spec: {
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(node ? { nodeName: node, hostPID: true } : {}),
      ...(schedulerName ? { schedulerName } : {}),
      containers: [{
        name: 'main',
        image: IMAGE,
        imagePullPolicy: 'Never',
        command: ['sleep', '3600'],
        ...(node ? { securityContext: { privileged: true } } : {}),
      }],
    },
  };
}

function deletePod(name, namespace = 'default') {
  timed(['kubectl', 'delete', 'pod', name, '-n', namespace, '--grace-period=0', '--force', '--ignore-not-found', '--wait=false']);
}

/** The pod to debug: the one named on the command line, or a fresh labelled one deleted at the end. */
function targetPod(given) {
  if (given) {
    kubectl('wait', '--for=condition=Ready', `pod/${given}`, '--timeout=60s');
    return given;
  }
  const name = `bench-web-${stamp}`;
  cleanups.push(() => deletePod(name));
  kubectlInput(JSON.stringify(buildPod(name)), 'apply', '-f', '-');
  kubectl('wait', '--for=condition=Ready', `pod/${name}`, '--timeout=120s');
  return name;
}

// ---- the groups ---------------------------------------------------------------------------

function benchStartup() {
  requireBuild();
  const runs = RUNS * 3;
  progress(`start-up: ${runs} rounds of node -e 0, --help, version`);
  const cases = [
    commandCase('node', ['node', '-e', '0']),
    commandCase('help', [plugin, '--help']),
    commandCase('version', [plugin, 'version']),
  ];
  const t = sideBySide(cases, runs);
  addRow('node -e 0', t.node, { format: fmtMs, command: 'node -e 0' });
  addRow('kubectl-nsdebug --help', t.help, { format: fmtMs, goals: [{ label: 'node -e 0', ref: t.node, max: 2.0 }], command: `${plugin} --help` });
  addRow('kubectl-nsdebug version', t.version, { format: fmtMs, goals: [{ label: 'node -e 0', ref: t.node, max: 1.5 }], command: `${plugin} version` });
}

function benchSession(given) {
  requireBuild();
  requireCluster();
  const pod = targetPod(given);
  const node = kubectl('get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}').trim();
  progress(`session: target pod/${pod} on node ${node}, ${RUNS} rounds`);
  let byHandCount = 0;
  const debugPods = [];
  cleanups.push(() => {
    // kubectl debug's pods carry no label of ours: delete each one it named, and any other
    // of its pods on this node created since the bench started (a run that failed early).
    const since = new Date(started - 5000).toISOString().replace(/\.\d+Z$/, 'Z');
    const listed = kubectl('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.creationTimestamp}{"\\n"}{end}');
    const strays = listed.split('\n').map((l) => l.split(' ')).filter(([name, at]) => name?.startsWith(`node-debugger-${node}-`) && at >= since).map(([name]) => name);
    for (const name of new Set([...debugPods, ...strays])) deletePod(name);
  });
  const cases = [
    commandCase('exec', ['kubectl', 'exec', pod, '--', 'hostname'], pod),
    {
      // What a user does by hand: a privileged hostPID pod pinned to the node, wait, exec, delete.
      name: 'byhand',
      run() {
        const name = `bench-byhand-${stamp}-${++byHandCount}`;
        cleanups.push(() => deletePod(name));
        const manifest = JSON.stringify(buildPod(name, { node }));
        const started = process.hrtime.bigint();
        kubectlInput(manifest, 'apply', '-f', '-');
        kubectl('wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s');
        const out = kubectl('exec', name, '--', 'hostname').trim();
        kubectl('delete', 'pod', name, '--grace-period=0', '--force', '--wait=false');
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (out !== name) throw new Error(`by hand: hostname printed '${out}', expected '${name}'`);
        return ms;
      },
    },
    {
      // Until its output is available: --attach waits for the container and prints what it
      // wrote (the node's hostname, after kubectl's own "Creating debugging pod" line on stdout).
      name: 'debugnode',
      run() {
        const r = timed(['kubectl', 'debug', `node/${node}`, '--profile=general', `--image=${IMAGE}`, '--image-pull-policy=Never', '--attach', '--', 'hostname']);
        const created = /Creating debugging pod (\S+) /.exec(r.stdout + r.stderr)?.[1];
        if (created) {
          debugPods.push(created);
          deletePod(created); // not timed
        }
        const lines = r.stdout.trim().split('\n');
        if (r.status !== 0 || !created || lines.length < 2) throw new Error(`kubectl debug node/${node} exited ${r.status}, printed '${r.stdout.trim()}': ${r.stderr.trim()}`);
        return r.ms;
      },
    },
    commandCase('nsdebug', ['kubectl', 'nsdebug', `pod/${pod}`, '--ns', 'uts', '--', 'hostname'], pod),
    {
      // A warm helper of ours on the node (made before the rounds): every run must reuse it.
      name: 'warm',
      run() {
        const r = timed(warmArgv);
        if (r.status !== 0 || r.stdout.trim() !== pod) throw new Error(`${warmArgv.join(' ')} exited ${r.status}, printed '${r.stdout.trim()}': ${r.stderr.trim()}`);
        if (!r.stderr.includes('reusing warm helper')) throw new Error(`the warm session created a helper instead of reusing one: ${r.stderr.trim()}`);
        return r.ms;
      },
    },
  ];
  const warmArgv = ['kubectl', 'nsdebug', `pod/${pod}`, '--ns', 'uts', '--keep-warm', '5m', '--', 'hostname'];
  const warmHelpers = () => kubectl('get', 'pods', '-l', 'app.kubernetes.io/managed-by=kubectl-nsdebug', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.metadata.annotations.nsdebug\\.dev/warm-until}{"\\n"}{end}')
    .split('\n').map((l) => l.split(' ')).filter(([, phase, until]) => phase === 'Running' && until);
  cleanups.push(() => timed(['kubectl', 'nsdebug', 'clean', '-q']));
  // The first warm session creates the helper (untimed); its status must say Running before reuse.
  const first = timed(warmArgv);
  if (first.status !== 0) throw new Error(`the first warm session failed: ${first.stderr.trim()}`);
  for (let waited = 0; warmHelpers().length === 0; waited += 200) {
    if (waited > 30_000) throw new Error('the first warm session left no warm helper');
    sleep(200);
  }
  const t = sideBySide(cases, RUNS);
  timed(['kubectl', 'nsdebug', 'clean', '-q']); // the warm helper, before the leak check
  const leftHelpers = kubectl('get', 'pods', '-A', '-l', 'app.kubernetes.io/managed-by=kubectl-nsdebug', '-o', 'name').trim();
  if (leftHelpers) progress(`warning: helper pods still present after the sessions: ${leftHelpers.replace(/\n/g, ' ')}`);
  addRow('kubectl exec POD -- hostname', t.exec, { command: `kubectl exec ${pod} -- hostname` });
  addRow('by hand: apply → wait → exec → delete', t.byhand, { command: `kubectl apply (privileged hostPID pod, nodeName ${node}) → kubectl wait --for=condition=Ready → kubectl exec -- hostname → kubectl delete --wait=false` });
  addRow('kubectl debug node/… until its output', t.debugnode, { command: `kubectl debug node/${node} --profile=general --image=${IMAGE} --image-pull-policy=Never --attach -- hostname (its pod deleted afterwards, not timed)` });
  addRow('nsdebug cold: --ns uts -- hostname', t.nsdebug, {
    goals: [
      { label: 'by hand', ref: t.byhand, max: 1.0 },
      { label: 'kubectl debug node/', ref: t.debugnode, max: 0.6 },
    ],
    command: `kubectl nsdebug pod/${pod} --ns uts -- hostname`,
  });
  addRow('nsdebug warm: --keep-warm 5m, reused', t.warm, {
    goals: [{ label: 'kubectl exec', ref: t.exec, max: 2.5 }],
    command: `${warmArgv.join(' ')} (a warm helper of ours on the node; every run reuses it)`,
  });
}

/** A tmux server of our own (its own socket), killed on the way out. */
function startTmux(argv, { width = 100, height = 30 } = {}) {
  const name = `nsdebug-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', name, ...args], { env, encoding: 'utf8' });
  const kill = () => spawnSync('tmux', ['-L', name, 'kill-server']);
  cleanups.push(kill);
  tmux('new-session', '-d', '-s', name, '-x', String(width), '-y', String(height), '--',
    'env', `KUBECONFIG=${env.KUBECONFIG}`, `NSDEBUG_IMAGE=${env.NSDEBUG_IMAGE}`, `PATH=${env.PATH}`, ...argv);
  return { name, tmux, kill, screen: () => tmux('capture-pane', '-p', '-t', name) };
}

function benchPicker() {
  requireBuild();
  requireCluster();
  const ns = `bench-picker-${stamp}`;
  const deleteNamespace = () => {
    timed(['kubectl', 'delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
    // Wait (untimed) for the pods to go, so the next user of the cluster does not list them.
    timed(['kubectl', 'wait', '--for=delete', `namespace/${ns}`, '--timeout=300s']);
  };
  cleanups.push(deleteNamespace);
  progress(`picker: creating ${PICKER_PODS} pods that never schedule in namespace ${ns}`);
  kubectlInput(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: E2E_LABEL } }), 'apply', '-f', '-');
  // A scheduler that does not exist: the pods stay Pending, untouched by any controller or kubelet.
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: PICKER_PODS }, (_, i) => buildPod(`pick-${String(i).padStart(5, '0')}`, { namespace: ns, schedulerName: 'nsdebug-bench-none' })),
  };
  const file = join(scratch, 'pods.json');
  writeFileSync(file, JSON.stringify(list));
  const created = timed(['kubectl', 'apply', '--server-side', '-f', file], { maxBuffer: 64 << 20 });
  if (created.status !== 0) throw new Error(`creating the pods failed: ${created.stderr.trim().slice(0, 2000)}`);
  progress(`picker: ${PICKER_PODS} pods created in ${fmtS(created.ms)}; ${RUNS} rounds`);

  const startFile = join(scratch, 'picker-start');
  const cases = [
    commandCase('getpods', ['kubectl', 'get', 'pods', '-n', ns]),
    {
      // From the plugin's start (time taken inside the pane, so tmux's own start is not counted)
      // to the first pod row on the screen, polled every 20 ms.
      name: 'picker',
      run() {
        rmSync(startFile, { force: true });
        const term = startTmux(['sh', '-c', 'date +%s%N >"$0"; exec kubectl nsdebug -n "$1"', startFile, ns]);
        try {
          const deadline = Date.now() + 60_000;
          let screen = '';
          while (!/› pick-\d{5}/.test(screen)) {
            if (Date.now() > deadline) throw new Error(`the picker showed no pod within 60 s; screen:\n${screen}`);
            sleep(20);
            screen = term.screen();
          }
          const seenNs = process.hrtime.bigint() - hrtimeOffset();
          const startNs = BigInt(readFileSync(startFile, 'utf8').trim());
          return Number(seenNs - startNs) / 1e6;
        } finally {
          term.kill();
        }
      },
    },
  ];
  const t = sideBySide(cases, RUNS);
  addRow(`kubectl get pods, ${PICKER_PODS} pods`, t.getpods, { command: `kubectl get pods -n ${ns}` });
  addRow(`picker: first pod screen, ${PICKER_PODS} pods`, t.picker, {
    goals: [{ label: 'kubectl get pods', ref: t.getpods }],
    absolute: { text: '< 0.5 s', max: 500 },
    command: `kubectl nsdebug -n ${ns} in tmux, until a pod row shows`,
  });
}

/** hrtime's epoch against the wall clock's, in ns (date +%s%N in the pane is wall-clock time). */
let clockOffset;
function hrtimeOffset() {
  clockOffset ??= process.hrtime.bigint() - BigInt(Date.now()) * 1_000_000n;
  return clockOffset;
}

function benchRss(given) {
  requireBuild();
  requireCluster();
  const pod = targetPod(given);
  progress(`rss: an interactive session in pod/${pod}`);
  const term = startTmux(['kubectl', 'nsdebug', `pod/${pod}`, '--no-pick']);
  try {
    const deadline = Date.now() + 60_000;
    while (!/\] #/.test(term.screen())) {
      if (Date.now() > deadline) throw new Error(`no shell prompt within 60 s; screen:\n${term.screen()}`);
      sleep(200);
    }
    // kubectl execs the plugin, so the pane's process is node itself.
    const pid = term.tmux('display-message', '-p', '-t', term.name, '#{pane_pid}').trim();
    // Work in the session for a while, then read the kernel's high-water mark.
    term.tmux('send-keys', '-t', term.name, '-l', 'for i in 1 2 3 4 5; do ps; ip addr; sleep 0.2; done\r');
    sleep(3000);
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    term.tmux('send-keys', '-t', term.name, '-l', 'exit\r');
    sleep(2000); // the plugin deletes its helper on the way out
    const mib = peakKb / 1024;
    addRow('peak RSS, interactive session', { median: mib, min: mib, max: mib, n: 1 }, {
      format: (v) => `${v.toFixed(1)} MiB`,
      absolute: { text: '< 80 MiB', max: 80 },
      command: `VmHWM of the plugin (pid ${pid}) in kubectl nsdebug pod/${pod} --no-pick, after ps and ip addr in a loop`,
    });
  } finally {
    term.kill();
  }
}

/** 200 MB each way, side by side with kubectl cp on an image that has tar (issue 14's goal: within 1.5x). */
function benchCp(given) {
  requireBuild();
  requireCluster();
  const pod = targetPod(given);
  const big = join(scratch, 'big.bin');
  execFileSync('head', ['-c', String(200 * 1024 * 1024), '/dev/urandom'], { stdio: ['ignore', writeFd(big), 'inherit'] });
  const back = join(scratch, 'back.bin');
  progress(`cp: 200 MB to and from pod/${pod}, ${Math.max(1, Math.floor(RUNS / 2))} rounds`);
  const rounds = Math.max(1, Math.floor(RUNS / 2));
  const t = sideBySide([
    commandCase('nsdebug-in', ['kubectl', 'nsdebug', 'cp', '-q', big, `pod/${pod}:/tmp/nsdebug.bin`]),
    commandCase('kubectl-in', ['kubectl', 'cp', big, `${pod}:/tmp/kubectl.bin`]),
    { name: 'nsdebug-out', run: () => (rmSync(back, { force: true }), commandCase('', ['kubectl', 'nsdebug', 'cp', '-q', `pod/${pod}:/tmp/nsdebug.bin`, back]).run()) },
    { name: 'kubectl-out', run: () => (rmSync(back, { force: true }), commandCase('', ['kubectl', 'cp', `${pod}:/tmp/kubectl.bin`, back]).run()) },
  ], rounds);
  const mbps = (ms) => `${(200 / (ms / 1000)).toFixed(0)} MB/s (${fmtS(ms)})`;
  addRow('cp 200 MB into a container', t['nsdebug-in'], { format: mbps, goals: [{ label: 'kubectl cp', ref: t['kubectl-in'], max: 1.5 }], command: `kubectl nsdebug cp -q FILE pod/${pod}:/tmp/nsdebug.bin (a helper started each time)` });
  addRow('cp 200 MB out of a container', t['nsdebug-out'], { format: mbps, goals: [{ label: 'kubectl cp', ref: t['kubectl-out'], max: 1.5 }], command: `kubectl nsdebug cp -q pod/${pod}:/tmp/nsdebug.bin FILE` });
}

function writeFd(path) {
  return openSync(path, 'w');
}

// ---- main -----------------------------------------------------------------------------------

const [mode = 'all', pod] = process.argv.slice(2);
const groups = {
  startup: () => benchStartup(),
  session: () => benchSession(pod),
  picker: () => benchPicker(),
  rss: () => benchRss(pod),
  cp: () => benchCp(pod),
  all: () => {
    benchStartup();
    benchSession(pod);
    if (process.env.NSDEBUG_BENCH_PICKER === '1') benchPicker();
    else addNote('picker: first pod screen, 5000 pods', 'not measured', 'opt-in: NSDEBUG_BENCH_PICKER=1');
    benchRss(pod);
    benchCp(pod);
  },
};
if (!groups[mode]) fail(`unknown mode '${mode}'; use all, startup, session [POD], picker, rss [POD] or cp [POD]`);

let exitCode = 0;
const cleanUp = () => {
  for (const step of cleanups.reverse().splice(0)) {
    try {
      step();
    } catch (error) {
      progress(`cleanup: ${error.message}`);
    }
  }
  rmSync(scratch, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}
try {
  progress(`${mode}: medians of ${RUNS} side-by-side rounds; node ${process.version}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  groups[mode]();
} catch (error) {
  console.error(`bench: error: ${error.message}`);
  exitCode = 1;
} finally {
  progress('removing what the bench created');
  cleanUp();
  progress(`done in ${fmtS(Date.now() - started)}`);
}
if (rows.length) printTable();
process.exitCode = exitCode;
