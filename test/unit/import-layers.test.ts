// Folders only import downward, and no module imports itself through others.
// The order is read from docs/design.md ("Layout"), so the document and the
// check cannot drift apart. Type-only and dynamic imports count too: a type
// pointing upward is a dependency all the same.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static, re-export, side-effect and dynamic imports. */
export function importsOf(text: string): string[] {
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gms),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
  ];
  return specs.map((m) => m[1]!);
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next spelling
    }
  }
  throw new Error(`${relative(ROOT, from)} imports ${spec}, which does not exist`);
}

/** `Import order (bottom to top): base < agent < ...` in docs/design.md. */
function layerOrder(): string[] {
  const design = readFileSync(join(ROOT, 'docs/design.md'), 'utf8');
  const line = /^Import order \(bottom to top\): (.+)$/m.exec(design);
  if (!line) throw new Error('docs/design.md has no "Import order (bottom to top): ..." line');
  return line[1]!.replace(/`/g, '').split('<').map((s) => s.trim());
}

const folderOf = (file: string) => relative(SRC, file).split('/')[0]!;

const graph = new Map<string, string[]>(
  sourceFiles(SRC).map((file) => [
    file,
    importsOf(readFileSync(file, 'utf8')).flatMap((spec) => {
      const target = resolveLocal(file, spec);
      return target && /\.tsx?$/.test(target) ? [target] : [];
    }),
  ]),
);

/** Every import cycle, each as the chain of files that closes it. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('import direction', () => {
  const order = layerOrder();

  it('names every folder of src in the order', () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))].filter((f) => !/\.tsx?$/.test(f)).sort();
    expect(folders).toEqual([...order].sort());
  });

  it('has no upward import', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => order.indexOf(folderOf(target)) > order.indexOf(folderOf(file)))
        .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(findCycles(graph).map((cycle) => cycle.map((f) => relative(SRC, f)).join(' -> '))).toEqual([]);
  });

  it('the checker itself sees the import forms and a cycle', () => {
    const text = "import type { A } from './a.js';\nexport { B } from '../b.js';\nimport './c.js';\nconst d = await import('./d.js');\nimport {\n  E,\n} from './e.js';";
    expect(importsOf(text)).toEqual(['./a.js', '../b.js', './e.js', './c.js', './d.js']);
    expect(findCycles(new Map([['x', ['y']], ['y', ['z']], ['z', ['x']]]))).toEqual([['x', 'y', 'z', 'x']]);
  });
});
