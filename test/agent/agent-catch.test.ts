// Mode catch against real cgroup freezers on this machine: a fake pod
// (test/agent/fake-pod.sh) whose container starts as runc starts one (cgroups
// and a `runc init` first, the entrypoint's exec later). This machine runs
// cgroup v1 (hybrid: the v1 freezer, plus an unified v2 hierarchy with no
// controllers, where cgroup.freeze works too), so v1 is tested for real, v2
// for real on that unified hierarchy (NSDEBUG_FREEZER=v2) and on a fixture
// laid out as a pure v2 host (agent-catch-v2.test.ts). Needs root.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT } from '../../src/agent/argv.js';
import {
  CGROUP_ROOT,
  IS_ROOT,
  SHELLS,
  goFakeContainer,
  killAgentGroup,
  runAgent,
  startAgent,
  startFakeContainer,
  startFakePod,
  stopFakePod,
  watchAgent,
  type FakePod,
  type WatchedAgent,
} from './helpers.js';

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const UID = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const podCgroup = (controller: string) => `/sys/fs/cgroup/${controller}${CGROUP_ROOT}/kubepods/burstable/pod${UID}`;
/** freezer.state of a start, or 'gone' once its cgroup has been removed (it ended). */
const freezerState = (cid: string) => {
  try {
    return readFileSync(`${podCgroup('freezer')}/${cid}/freezer.state`, 'utf8').trim();
  } catch {
    return 'gone';
  }
};
// Lives 1 s: long enough to be caught on a loaded machine (2 cores shared by
// four test runs); how fast a real start is caught is measured on the cluster.
const ENTRY = 'echo started; cat /mnt/app.conf; echo "mode=$APP_MODE"; sleep 1; exit 3';

let pod: FakePod;
let runN = 0;
const agents: WatchedAgent[] = [];
const serves: ReturnType<typeof startAgent>[] = [];

/** The agent's environment: busybox's programs first, a run directory of its own. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  runN += 1;
  return { PATH: `${pod.bin}:${process.env.PATH ?? ''}`, NSDEBUG_RUN: join(pod.dir, `run-${runN}`), NSDEBUG_HOST_ROOT: '/', ...extra };
}

/** The key=value fields of an `nsdebug-catch: EVENT ...` line. */
function fields(line: string): Record<string, string> {
  return Object.fromEntries(line.trim().split(' ').slice(2).map((kv) => kv.split('=') as [string, string]));
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const status = (cid: string) => {
  const f = join(pod.dir, `${cid}.status`);
  return existsSync(f) ? readFileSync(f, 'utf8').trim() : undefined;
};

/**
 * An ENTRY start that was killed: it ended without its own `exit 3`.
 * (util-linux unshare, the fake shim, reports a child killed by SIGKILL as 137
 * or, when it cannot re-raise the signal, 1.)
 */
const killed = (cid: string) => ['137', '1'].includes(status(cid) ?? '');

/** Starts a catch agent and waits until it watches the pod. */
async function catchAgent(shell: (typeof SHELLS)[number], args: readonly string[], e = env()): Promise<WatchedAgent> {
  const agent = watchAgent(shell, ['catch', '--pod-uid', UID, '--container-name', 'app', ...args], e);
  agents.push(agent);
  await agent.waitStderr(/^nsdebug-catch: waiting freezer=v[12] timeout=\d+$/m);
  return agent;
}

/** A new start of container NAME that execs COMMAND at once. */
function restart(name: string, command = ENTRY, extraEnv: NodeJS.ProcessEnv = { APP_MODE: 'debug' }): { cid: string; init: number } {
  const cid = hex(64);
  const init = startFakeContainer(pod, UID, cid, name, command, extraEnv);
  goFakeContainer(pod, cid);
  return { cid, init };
}

// Real runc-like starts, freezers and serve loops with deadlines of a second or
// two: with the whole unit project running in parallel on 2 cores, a try now and
// then misses a start. A failed try is retried; the assertions stay the same.
describe.skipIf(!IS_ROOT)('catch on a fake pod with real freezers', { retry: 2 }, () => {
  beforeAll(() => {
    pod = startFakePod('nsdebug-agent-catch-', UID, hex(64), hex(64));
  }, 30_000);

  afterAll(() => {
    agents.forEach(killAgentGroup);
    serves.forEach((s) => s.child.kill('SIGKILL'));
    if (pod) stopFakePod(pod, UID);
    const left = ['freezer', 'pids', 'unified'].filter((c) => existsSync(podCgroup(c)));
    if (left.length > 0) throw new Error(`cleanup left the pod's cgroups in ${left.join(',')}`);
  }, 30_000);

  describe.each(SHELLS)('under $name', (shell) => {
    it('refuses bad options with 125 before it watches anything', async () => {
      const e = env();
      const cases: [string[], RegExp][] = [
        [['--pod-uid', UID, '--tools', 'target'], /needs --container-name NAME/],
        [['--pod-uid', UID, '--container-name', 'App', '--tools', 'target'], /invalid --container-name 'App'/],
        [['--pod-uid', UID, '--container-name', 'app', '--tools', 'helper', '--ns', 'mnt'], /--ns mnt runs the container's own programs/],
        [['--pod-uid', UID, '--container-name', 'app', '--ns', 'net'], /needs --tools/],
        [['--pod-uid', UID, '--container-name', 'app', '--print-env', '--tools', 'target'], /^nsdebug-agent: --print-env and --hold run no session: leave out --ns, --tools, --label and the command$/m],
        [['--pod-uid', UID, '--container-name', 'app', '--hold', '--', 'sh'], /--print-env and --hold run no session/],
        [['--pod-uid', UID, '--container-name', 'app', '--hold', '--print-env'], /give either --print-env or --hold, not both/],
        [['--pod-uid', UID, '--container-name', 'app', '--tools', 'target', '--timeout', '0'], /--timeout needs a whole number of seconds above 0/],
        [['--pod-uid', UID, '--container-name', 'app', '--tools', 'target', '--container-id', 'a'.repeat(64)], /--container-id is not an option of mode catch/],
      ];
      for (const [args, re] of cases) {
        const r = await runAgent(shell, ['catch', ...args], e);
        expect(r.status, args.join(' ')).toBe(AGENT_EXIT.usage);
        expect(r.stderr).toMatch(re);
        expect(r.stderr.split('\n')).toHaveLength(2);
      }
    });

    it('freezes the next start after its exec, runs the session in its mount namespace, then thaws it', async () => {
      const agent = await catchAgent(shell, ['--tools', 'target', '--timeout', '20', '--', 'sh', '-c', 'cat /mnt/app.conf; echo ready; read -r line; echo "got $line"']);
      const { cid, init } = restart('app');
      const frozen = fields((await agent.waitStderr(/^nsdebug-catch: frozen .*$/m))[0]);
      expect(frozen).toMatchObject({ container: cid, pid: String(init), hz: expect.stringMatching(/^\d+$/) });
      expect(Number(frozen.procs)).toBeGreaterThanOrEqual(1);
      expect(Number(frozen.start_to_freeze_ms)).toBeGreaterThanOrEqual(0);
      expect(Number(frozen.start_to_freeze_ms)).toBeLessThan(5000);
      expect(frozen.state).toMatch(/^[RSD]$/);
      // The session reads the container's own tmpfs: its mount namespace.
      await agent.waitStdout(/ready\n/);
      expect(agent.stdout()).toBe('mode=fake\nready\n');
      // Frozen while the session lasts: the entrypoint has not finished.
      expect(freezerState(cid)).toBe('FROZEN');
      await sleep(500);
      expect(status(cid)).toBeUndefined();
      expect(readFileSync(`/proc/${init}/comm`, 'utf8')).toBe('sh\n');
      agent.child.stdin?.end('bye\n');
      const { code } = await agent.done;
      expect(code).toBe(0);
      expect(agent.stdout()).toBe('mode=fake\nready\ngot bye\n');
      expect(agent.stderr()).toMatch(new RegExp(`^nsdebug-catch: released container=${cid} action=thaw frozen_ms=\\d+$`, 'm'));
      // Thawed: the container runs on to its own end (its output, then exit 3).
      await until('the container to end', () => status(cid) !== undefined);
      expect(status(cid)).toBe('3');
      expect(readFileSync(join(pod.dir, `${cid}.log`), 'utf8')).toBe('started\nmode=fake\nmode=debug\n');
    }, 40_000);

    it('--print-env prints the frozen command line and environment, control characters made visible, then thaws', async () => {
      const agent = await catchAgent(shell, ['--print-env', '--timeout', '20']);
      const { cid } = restart('app', ENTRY, { APP_MODE: 'debug', APP_ESC: '\x1b[31mred\nline\\' });
      const { code } = await agent.done;
      expect(agent.stderr()).toMatch(/^nsdebug-catch: frozen /m);
      expect(code).toBe(0);
      const lines = agent.stdout().split('\n');
      expect(lines.slice(0, 3)).toEqual(['cmdline\tsh', 'cmdline\t-c', `cmdline\t${ENTRY}`]);
      expect(lines).toContain('env\tAPP_MODE=debug');
      expect(lines).toContain('env\tAPP_ESC=\\x1b[31mred\\x0aline\\\\');
      expect(agent.stdout()).not.toMatch(/\x1b/);
      await until('the container to end', () => status(cid) !== undefined);
      expect(status(cid)).toBe('3');
    }, 40_000);

    it("--tools target: the session's programs get the container's own environment, byte for byte", async () => {
      const agent = await catchAgent(shell, [
        '--tools', 'target', '--label', 'pod/crashy:app', '--timeout', '20',
        '--', 'sh', '-c', 'printf "%s|" "$APP_MODE" "$APP_ODD" "$PS1" "$NSDEBUG_TARGET_ROOT" "${NSDEBUG_RUN-unset}"',
      ]);
      restart('app', ENTRY, { APP_MODE: 'debug', APP_ODD: " two  spaces\n\\x41 %s '\"\n" });
      expect(await agent.done, agent.stderr()).toMatchObject({ code: 0 });
      expect(agent.stdout()).toBe(`debug| two  spaces\n\\x41 %s '"\n|[pod/crashy:app] # |/|unset|`);
    }, 40_000);

    it('--hold keeps it frozen until stdin ends, for a session exec of its own (session --target-env)', async () => {
      const e = env();
      const agent = await catchAgent(shell, ['--hold', '--timeout', '20'], e);
      const { cid, init } = restart('app');
      const frozen = fields((await agent.waitStderr(/^nsdebug-catch: frozen .*$/m))[0]);
      expect(frozen.pid).toBe(String(init));
      // The client's session: an ordinary session into the frozen container.
      const session = await runAgent(shell, [
        'session', '--pod-uid', UID, '--container-id', cid, '--ns', 'uts', '--tools', 'target', '--target-env',
        '--', 'sh', '-c', 'cat /mnt/app.conf; echo "$APP_MODE $(hostname)"',
      ], e);
      expect(session).toEqual({ status: 0, stdout: 'mode=fake\ndebug pod-x\n', stderr: '' });
      await sleep(300);
      expect(freezerState(cid)).toBe('FROZEN'); // held after that session ended
      expect(status(cid)).toBeUndefined();
      agent.child.stdin?.end();
      expect(await agent.done).toMatchObject({ code: 0 });
      expect(agent.stdout()).toBe('');
      expect(agent.stderr()).toMatch(new RegExp(`^nsdebug-catch: released container=${cid} action=thaw `, 'm'));
      await until('the container to end', () => status(cid) === '3');
      const refused = await runAgent(shell, ['session', '--pod-uid', UID, '--container-id', cid, '--ns', 'uts', '--tools', 'helper', '--target-env'], e);
      expect(refused.status).toBe(AGENT_EXIT.usage);
      expect(refused.stderr).toMatch(/--target-env .* use it with --tools target/);
    }, 40_000);

    it('--kill-on-exit kills the container instead of thawing it', async () => {
      const agent = await catchAgent(shell, ['--kill-on-exit', '--ns', 'uts', '--tools', 'helper', '--timeout', '20', '--', 'hostname']);
      const { cid } = restart('app');
      const { code } = await agent.done;
      expect(code).toBe(0);
      expect(agent.stdout()).toBe('pod-x\n');
      expect(agent.stderr()).toMatch(new RegExp(`^nsdebug-catch: released container=${cid} action=kill `, 'm'));
      await until('the container to end', () => status(cid) !== undefined);
      expect(killed(cid)).toBe(true);
    }, 40_000);

    it('a start that ends before its exec: exit 122, with how long it lived', async () => {
      const agent = await catchAgent(shell, ['--tools', 'target', '--timeout', '20', '--', 'true']);
      const cid = hex(64);
      startFakeContainer(pod, UID, cid, 'app', ENTRY, { FAKE_NO_EXEC: '1' });
      await sleep(300); // runc init waits for its start meanwhile: the agent must not freeze it
      expect(freezerState(cid)).toBe('THAWED');
      goFakeContainer(pod, cid);
      const { code } = await agent.done;
      expect(code).toBe(AGENT_EXIT.escaped);
      const escaped = fields((await agent.waitStderr(/^nsdebug-catch: escaped .*$/m))[0]);
      expect(escaped.container).toBe(cid);
      expect(Number(escaped.lived_ms)).toBeGreaterThanOrEqual(300);
      expect(agent.stderr()).toMatch(new RegExp(`^nsdebug-agent: container app \\(${cid}\\) exited before it could be frozen; it lived about \\d+ ms\\. .*kubectl logs`, 'm'));
      expect(agent.stderr()).not.toMatch(/nsdebug-catch: frozen/);
      await until('the start to be over', () => status(cid) !== undefined); // the shim writes it after the exit
      expect(status(cid)).toBe('1');
    }, 40_000);

    it("ignores another container's start and one without the kubelet's mount, then catches its own", async () => {
      const agent = await catchAgent(shell, ['--ns', 'uts', '--tools', 'helper', '--timeout', '20', '--', 'true']);
      const other = restart('sidecar', 'exit 0');
      // Long enough for the agent to see its program run: unidentified, not vanished.
      const unknown = restart('-', 'sleep 0.5; exit 0');
      await until('the other starts to end', () => status(other.cid) === '0' && status(unknown.cid) === '0');
      const own = restart('app');
      const frozen = fields((await agent.waitStderr(/^nsdebug-catch: frozen .*$/m))[0]);
      expect(frozen.container).toBe(own.cid);
      expect(await agent.done).toMatchObject({ code: 0 });
      expect(agent.stderr()).toContain(`nsdebug-agent: warning: container ${unknown.cid} of the pod has no mount from the kubelet's containers/ directory: not taken for app\n`);
      expect(agent.stderr()).not.toContain(other.cid);
      await until('the container to end', () => status(own.cid) === '3');
    }, 40_000);

    it('--timeout: exit 121 when no start comes', async () => {
      const agent = await catchAgent(shell, ['--tools', 'target', '--timeout', '1']);
      const started = Date.now();
      const { code } = await agent.done;
      expect(code).toBe(AGENT_EXIT.timedOut);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(agent.stderr()).toMatch(/^nsdebug-agent: no new start of container app within 1s; .*--timeout\n$/m);
    });

    it('cgroup v2 on the unified hierarchy (NSDEBUG_FREEZER=v2): cgroup.freeze during the session, 0 after', async () => {
      const agent = await catchAgent(shell, ['--ns', 'uts', '--tools', 'helper', '--timeout', '20', '--', 'sh', '-c', 'echo ready; read -r line'], env({ NSDEBUG_FREEZER: 'v2' }));
      const { cid } = restart('app');
      await agent.waitStdout(/ready\n/);
      const unified = `${podCgroup('unified')}/${cid}`;
      expect(readFileSync(`${unified}/cgroup.freeze`, 'utf8')).toBe('1\n');
      expect(readFileSync(`${unified}/cgroup.events`, 'utf8')).toContain('frozen 1\n');
      expect(freezerState(cid)).toBe('THAWED'); // the v1 freezer was left alone
      agent.child.stdin?.end('\n');
      expect(await agent.done).toMatchObject({ code: 0 });
      await until('the container to end', () => status(cid) === '3');
    }, 40_000);
  });

  // The freeze must not outlive the session, whichever way it ends.
  describe.each(SHELLS)('serve releases a freeze, under $name', (shell) => {
    /** A catch session that has frozen a start, and serve beside it. */
    async function frozenSession(idle: number, freezeIdle?: number) {
      const e = env();
      const beat = () => writeFileSync(join(e.NSDEBUG_RUN ?? '', 'heartbeat'), `${Math.floor(Date.now() / 1000)}\n`);
      const serve = startAgent(shell, ['serve', '--idle', String(idle), '--idle-start', '60', ...(freezeIdle === undefined ? [] : ['--freeze-idle', String(freezeIdle)])], e);
      serves.push(serve);
      const agent = await catchAgent(shell, ['--ns', 'uts', '--tools', 'helper', '--timeout', '20', '--', 'sleep', '30'], e);
      // The client beats until the freeze; from then on it is silent.
      const beating = setInterval(beat, 300);
      let cid: string;
      try {
        ({ cid } = restart('app'));
        await agent.waitStderr(/^nsdebug-catch: frozen /m);
      } finally {
        clearInterval(beating);
      }
      beat();
      expect(freezerState(cid)).toBe('FROZEN');
      expect(readdirSync(join(e.NSDEBUG_RUN ?? '', 'frozen'))).toEqual([String(agent.child.pid)]);
      return { serve, agent, cid, run: e.NSDEBUG_RUN ?? '', beat };
    }

    it('within --freeze-idle once the client stops beating (not while it beats); serve goes on', async () => {
      const { serve, agent, cid, run, beat } = await frozenSession(30, 2);
      // Beats keep it frozen past --freeze-idle...
      const beating = setInterval(beat, 300);
      await sleep(3500);
      clearInterval(beating);
      expect(freezerState(cid)).toBe('FROZEN');
      // ...and their end thaws it within --freeze-idle (whole seconds) and serve's 1 s loop.
      beat();
      const silentFrom = Date.now();
      await until('serve to thaw it', () => freezerState(cid) !== 'FROZEN', 6000);
      expect(Date.now() - silentFrom).toBeGreaterThanOrEqual(900);
      expect(Date.now() - silentFrom).toBeLessThan(4500);
      expect(readdirSync(join(run, 'frozen'))).toEqual([]);
      expect(serve.child.exitCode).toBe(null); // its sessions end at --idle, as any session's
      await until('the container to end', () => status(cid) === '3');
      killAgentGroup(agent);
      serve.child.kill('SIGTERM');
      expect(await serve.done).toMatchObject({ code: 0 });
    }, 40_000);

    it('when the client stops beating', async () => {
      const { serve, agent, cid, run } = await frozenSession(3);
      const { code } = await serve.done;
      expect(code).toBe(0);
      expect(await agent.done).toMatchObject({ code: 129 });
      expect(freezerState(cid)).not.toBe('FROZEN');
      expect(readdirSync(join(run, 'frozen'))).toEqual([]);
      await until('the container to end', () => status(cid) === '3');
    }, 40_000);

    it('when the catch session is killed outright', async () => {
      const { serve, agent, cid, run } = await frozenSession(30);
      agent.child.kill('SIGKILL');
      await until('serve to thaw it', () => !existsSync(join(run, 'frozen', String(agent.child.pid))), 5000);
      expect(freezerState(cid)).not.toBe('FROZEN');
      await until('the container to end', () => status(cid) === '3');
      killAgentGroup(agent);
      serve.child.kill('SIGTERM');
      expect(await serve.done).toMatchObject({ code: 0 });
    }, 40_000);

    it('on TERM (the helper being deleted), and mode release', async () => {
      const { serve, agent, cid, run } = await frozenSession(30);
      serve.child.kill('SIGTERM');
      expect(await serve.done).toMatchObject({ code: 0 });
      expect(freezerState(cid)).not.toBe('FROZEN');
      expect(readdirSync(join(run, 'frozen'))).toEqual([]);
      killAgentGroup(agent);
      await until('the container to end', () => status(cid) === '3');

      const again = await catchAgent(shell, ['--kill-on-exit', '--ns', 'uts', '--tools', 'helper', '--timeout', '20', '--', 'sleep', '30'], { ...env(), NSDEBUG_RUN: run });
      const next = restart('app');
      await again.waitStderr(/^nsdebug-catch: frozen /m);
      expect(await runAgent(shell, ['release'], { PATH: process.env.PATH, NSDEBUG_RUN: run, NSDEBUG_HOST_ROOT: '/' })).toEqual({ status: 0, stdout: '', stderr: '' });
      await until('the container to end', () => status(next.cid) !== undefined);
      expect(killed(next.cid)).toBe(true);
      killAgentGroup(again);
    }, 60_000);
  });
});
