// The agent script and its TypeScript builders (src/agent/argv.ts) name the same
// namespace types and the same exit codes: read from the script's text, and seen
// in what it does under every shell.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT, MARKED_EXIT, NAMESPACE_TYPES } from '../../src/agent/argv.js';
import { AGENT, SHELLS, removeDir, runAgent, tempDir } from './helpers.js';

const script = readFileSync(AGENT, 'utf8');
const UID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const CID = 'c0ffee'.padEnd(64, '1');

/** The body of the shell function NAME. */
function body(name: string): string {
  const m = new RegExp(`^${name}\\(\\) \\{[^\\n]*\\n([\\s\\S]*?)^\\}`, 'm').exec(script);
  if (m?.[1] === undefined) throw new Error(`no function ${name} in the agent`);
  return m[1];
}

describe('the script text', () => {
  it('declares NS_TYPES once, as NAMESPACE_TYPES in the same order', () => {
    const decls = [...script.matchAll(/^NS_TYPES='([^']*)'$/gm)].map((m) => m[1]);
    expect(decls).toEqual([NAMESPACE_TYPES.join(' ')]);
  });

  it('spells no list of namespace types other than NS_TYPES', () => {
    // A second hard-coded list (in a message, a case) would drift from the first.
    const lists = script.split('\n').filter((l) => !l.startsWith('NS_TYPES=') && /\bnet[, ]pid[, ]mnt\b/.test(l));
    expect(lists).toEqual([]);
  });

  it('maps every type, and only those, to an nsenter flag', () => {
    const arms = [...body('ns_flag').matchAll(/^\s*([a-z]+)\) flag=-[A-Za-z] ;;$/gm)].map((m) => m[1]);
    expect(arms).toEqual([...NAMESPACE_TYPES]);
  });

  it('documents exactly the AGENT_EXIT codes in its header, each with its meaning', () => {
    const header = script.slice(0, script.indexOf('\nset -u'));
    const documented = [...header.matchAll(/^#\s+(\d{3})\s+(.+)$/gm)].map((m) => [Number(m[1]), m[2]] as const);
    expect(Object.fromEntries(documented)).toEqual({
      [AGENT_EXIT.usage]: expect.stringMatching(/usage/),
      [AGENT_EXIT.notFound]: expect.stringMatching(/not found/),
      [AGENT_EXIT.unsupportedNamespace]: expect.stringMatching(/lacks a requested namespace type/),
      [AGENT_EXIT.escaped]: expect.stringMatching(/exited .*before it was frozen/),
      [AGENT_EXIT.timedOut]: expect.stringMatching(/no new start .*within --timeout/),
      [AGENT_EXIT.targetTools]: expect.stringMatching(/--tools target refused/),
    });
  });

  it('declares the marked exits (--marked-exit) as MARKED_EXIT says', () => {
    const declared = Object.fromEntries([...script.matchAll(/^EXIT_(ASK|OK|BUSY)=(\d+)$/gm)].map((m) => [m[1]!.toLowerCase(), Number(m[2])]));
    expect(declared).toEqual({ ...MARKED_EXIT });
  });

  it('exits (die) with AGENT_EXIT codes only, and uses each of them', () => {
    const used = new Set([...script.matchAll(/\bdie (\d+) /g)].map((m) => Number(m[1])));
    expect([...used].sort()).toEqual(Object.values(AGENT_EXIT).sort());
  });
});

let proc: string;
beforeAll(() => {
  // One container of the pod: init 300 (parent 90, outside), with every type but time.
  proc = tempDir('nsdebug-agent-contract-');
  const stat = (pid: number, ppid: number) => `${pid} (sleep) S ${ppid} ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${pid} 0 0\n`;
  mkdirSync(join(proc, '90'));
  writeFileSync(join(proc, '90', 'cgroup'), '0::/system.slice/containerd.service\n');
  writeFileSync(join(proc, '90', 'stat'), stat(90, 1));
  mkdirSync(join(proc, '300', 'ns'), { recursive: true });
  writeFileSync(join(proc, '300', 'cgroup'), `0::/kubepods/pod${UID}/${CID}\n`);
  writeFileSync(join(proc, '300', 'stat'), stat(300, 90));
  NAMESPACE_TYPES.filter((t) => t !== 'time').forEach((t, i) => symlinkSync(`${t}:[${4026532000 + i}]`, join(proc, '300', 'ns', t)));
});
afterAll(() => removeDir(proc));

describe.concurrent.each(SHELLS)('what the script does, under $name', (shell) => {
  const agent = (...args: string[]) => runAgent(shell, args, { PATH: process.env.PATH, NSDEBUG_PROC: proc, NSDEBUG_RUN: join(proc, `run-${shell.argv[0]}`) });

  it('ns prints the types of NAMESPACE_TYPES, in its order', async () => {
    const r = await agent('ns', '--pod-uid', UID, '--container', `app=${CID}`);
    expect(r.status).toBe(0);
    const fields = r.stdout.split('\n')[0]?.split('\t')[3]?.split(' ');
    expect(fields?.map((f) => f.split(':')[0])).toEqual([...NAMESPACE_TYPES]);
  });

  it('--ns accepts each of NAMESPACE_TYPES and names them all when it refuses one', async () => {
    const r = await agent('session', '--pod-uid', UID, '--container-id', CID, '--ns', 'bogus', '--tools', 'helper');
    expect(r.status).toBe(AGENT_EXIT.usage);
    expect(r.stderr).toBe(`nsdebug-agent: unknown namespace 'bogus' in --ns; valid: ${NAMESPACE_TYPES.join(',')} or all\n`);
    // Every type passes parsing: the session gets as far as the lookup (of an id not there).
    const other = 'd'.repeat(64);
    const each = await agent('session', '--pod-uid', UID, '--container-id', other, '--ns', NAMESPACE_TYPES.join(','), '--tools', 'target');
    expect(each.status).toBe(AGENT_EXIT.notFound);
  });

  it('exits AGENT_EXIT.notFound when the target is not there', async () => {
    const r = await agent('pid', '--pod-uid', UID, '--container-id', 'd'.repeat(64));
    expect(r.status).toBe(AGENT_EXIT.notFound);
  });

  it('exits AGENT_EXIT.unsupportedNamespace for a type the kernel lacks', async () => {
    const r = await agent('session', '--pod-uid', UID, '--container-id', CID, '--ns', 'time', '--tools', 'helper', '--', 'true');
    expect(r.status).toBe(AGENT_EXIT.unsupportedNamespace);
    expect(r.stderr).toMatch(/^nsdebug-agent: this kernel has no time namespace; [^\n]*\n$/);
  });
});
