/**
 * The folder tree is the architecture (docs/architecture.md): this test reads every import of
 * the project's sources and holds them to the layering, so a new arrow pointing up, or a
 * cycle between files or folders, fails `npm test` with the offending import named.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SOURCES = ['harness', 'scenarios', 'adapters', 'reports', 'bench'];

/**
 * What each layer may import, besides itself. Lower layers never import higher ones; only the
 * CLI's catalogue knows the bundled adapters and scenarios.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'harness/contract': [],
  'harness/util': ['harness/contract'],
  'harness/sync': ['harness/contract', 'harness/util'],
  'harness/ledger': ['harness/contract', 'harness/util'],
  'harness/sinks': ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger'],
  'harness/watchdog': ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger'],
  'harness/child': ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger', 'harness/sinks', 'harness/watchdog'],
  'harness/run': ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger'],
  'harness/cli': ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger', 'harness/run', 'reports', 'adapters', 'scenarios'],
  // The two entry points: `logjam` (thin: contract, locks, sinks) and `logjam/api`.
  harness: ['harness/contract', 'harness/sync', 'harness/sinks', 'harness/ledger', 'harness/util', 'harness/run', 'harness/cli'],
  reports: ['harness/contract', 'harness/util'],
  scenarios: ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger', 'harness/sinks'],
  adapters: ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger', 'harness/sinks'],
  bench: ['harness/contract', 'harness/util', 'harness/sync', 'harness/ledger', 'harness/sinks', 'harness/watchdog', 'harness/run', 'harness/cli', 'adapters', 'reports'],
};

/**
 * Entry files a layer may start as another process or thread by URL (`new URL('./x.js',
 * import.meta.url)`): a process boundary, not an import. The supervisor starts the run's
 * child; the child starts its threads.
 */
const MAY_SPAWN: Readonly<Record<string, readonly string[]>> = {
  'harness/run': ['harness/child'],
};

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.m?ts$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(ROOT, path));
    }
  };
  for (const top of SOURCES) walk(join(ROOT, top));
  return out;
}

/** The layer of a file: `harness/<folder>` inside the harness, else its top-level folder. */
function layerOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'harness') return parts.length > 2 ? `harness/${parts[1] ?? ''}` : 'harness';
  return parts[0] ?? file;
}

/**
 * The relative modules a file names: imports (static, dynamic, re-exports), or the entry files it
 * starts by URL (worker threads, child processes).
 */
function referencesOf(file: string, known: ReadonlySet<string>, kind: 'import' | 'spawn'): string[] {
  const src = readFileSync(join(ROOT, file), 'utf8');
  const out: string[] = [];
  const pattern =
    kind === 'import'
      ? /(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm
      : /\bnew URL\(\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of src.matchAll(pattern)) {
    const spec = m[1] ?? '';
    const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
    for (const candidate of [target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), target]) {
      if (known.has(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

/** Strongly connected components of more than one node (Tarjan). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = sourceFiles();
const known = new Set(files);
const graph = new Map(files.map((f) => [f, referencesOf(f, known, 'import')] as const));
const spawns = new Map(files.map((f) => [f, referencesOf(f, known, 'spawn')] as const));

describe('the architecture', () => {
  it('reads the imports it checks (the graph is not empty)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('harness/child/child.ts')?.length ?? 0).toBeGreaterThan(10);
  });

  it('has no import cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    const folders = new Map<string, Set<string>>();
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const a = layerOf(from);
        const b = layerOf(to);
        if (a === b) continue;
        const set = folders.get(a) ?? new Set<string>();
        set.add(b);
        folders.set(a, set);
      }
    }
    expect(cycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([]);
  });

  it('imports only downwards: every import is allowed by the layer table', () => {
    const violations: string[] = [];
    for (const [from, targets] of graph) {
      const layer = layerOf(from);
      const allowed = MAY_IMPORT[layer];
      for (const to of targets) {
        const target = layerOf(to);
        if (target === layer) continue;
        if (allowed === undefined || !allowed.includes(target)) violations.push(`${from} (${layer}) imports ${to} (${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('starts threads and processes only within its layer or downwards by the spawn table', () => {
    const violations: string[] = [];
    for (const [from, targets] of spawns) {
      const layer = layerOf(from);
      for (const to of targets) {
        const target = layerOf(to);
        if (target === layer || (MAY_IMPORT[layer] ?? []).includes(target) || (MAY_SPAWN[layer] ?? []).includes(target)) continue;
        violations.push(`${from} (${layer}) starts ${to} (${target})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps harness/ itself to its two entry points', () => {
    expect(files.filter((f) => layerOf(f) === 'harness').sort()).toEqual(['harness/api.ts', 'harness/index.ts']);
  });
});
