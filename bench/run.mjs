// Benchmarks (not tests): wall-clock medians of whole commands, as a user runs them.
//   node bench/run.mjs startup            --help and version against `node -e 0`
//   node bench/run.mjs session [POD]      nsdebug --ns uts -- hostname against kubectl exec (local cluster)
//   node bench/run.mjs rss [POD]          peak RSS of the plugin during an interactive session (tmux)
// Needs `npm run build`; session and rss need the local cluster (npm run cluster:up).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const env = {
  ...process.env,
  KUBECONFIG: process.env.KUBECONFIG ?? join(root, '.e2e', 'kubeconfig'),
  NSDEBUG_IMAGE: process.env.NSDEBUG_IMAGE ?? 'localhost/nsdebug/busybox:e2e',
  PATH: [join(root, 'plugin'), process.env.PATH].join(delimiter),
};

function time(argv, runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1), runs };
}

function report(name, argv, runs) {
  const t = time(argv, runs);
  console.log(`${name.padEnd(44)} median ${t.median.toFixed(0).padStart(5)} ms  (min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)}, n=${t.runs})  ${argv.join(' ')}`);
  return t;
}

function kubectl(...args) {
  return execFileSync('kubectl', args, { env, encoding: 'utf8' });
}

function ensurePod(name) {
  try {
    kubectl('get', 'pod', name);
  } catch {
    kubectl('run', name, '--image=localhost/nsdebug/busybox:e2e', '--image-pull-policy=Never', '--restart=Never', '--', 'httpd', '-f', '-p', '8080');
  }
  kubectl('wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s');
}

const [mode = 'startup', pod = 'web'] = process.argv.slice(2);
if (mode === 'startup') {
  report('node -e 0', ['node', '-e', '0'], 10);
  report('kubectl-nsdebug --help', [join(root, 'plugin', 'kubectl-nsdebug'), '--help'], 10);
  report('kubectl-nsdebug version', [join(root, 'plugin', 'kubectl-nsdebug'), 'version'], 10);
} else if (mode === 'session') {
  ensurePod(pod);
  report(`kubectl exec ${pod} -- hostname`, ['kubectl', 'exec', pod, '--', 'hostname'], 5);
  report(`kubectl nsdebug pod/${pod} --ns uts -- hostname`, ['kubectl', 'nsdebug', `pod/${pod}`, '--ns', 'uts', '--', 'hostname'], 5);
} else if (mode === 'rss') {
  ensurePod(pod);
  const session = `nsdebug-bench-${process.pid}`;
  const socket = ['-L', session];
  const tmux = (...args) => execFileSync('tmux', [...socket, ...args], { env, encoding: 'utf8' });
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', '--', 'env', `KUBECONFIG=${env.KUBECONFIG}`, `NSDEBUG_IMAGE=${env.NSDEBUG_IMAGE}`, `PATH=${env.PATH}`, 'kubectl', 'nsdebug', `pod/${pod}`, '--no-pick');
  try {
    const deadline = Date.now() + 60_000;
    while (!/\] #/.test(tmux('capture-pane', '-p', '-t', session)) && Date.now() < deadline) spawnSync('sleep', ['0.2']);
    const pid = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
    // Work in the session for a while, then read the kernel's high-water mark.
    tmux('send-keys', '-t', session, '-l', 'for i in 1 2 3 4 5; do ps; ip addr; sleep 0.2; done\r');
    spawnSync('sleep', ['3']);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const peak = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    console.log(`peak RSS of the plugin during an interactive session: ${(Number(peak) / 1024).toFixed(1)} MiB (VmHWM of pid ${pid})`);
    tmux('send-keys', '-t', session, '-l', 'exit\r');
  } finally {
    spawnSync('sleep', ['2']);
    spawnSync('tmux', [...socket, 'kill-server']);
  }
} else {
  console.error('usage: node bench/run.mjs startup|session|rss [POD]');
  process.exit(2);
}
