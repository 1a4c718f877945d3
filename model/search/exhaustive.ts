// Bounded-exhaustive model checking: every state reachable in at most K steps from the initial
// state, under every action the scope allows, explored breadth-first, level by level.
//
// - State invariants are checked once per new distinct state, transition properties on every
//   edge (model/search/expand.ts). The first violation is found at the smallest depth: its trace
//   is shortest by construction, and is an ordinary trace (the path of actions replayed from the
//   initial state, with the tasks' real names).
// - States are kept as 64-bit canonical fingerprints (model/search/canon.ts, fpset.ts) plus, per
//   state, its parent and the index of the action that reached it (8 bytes): a state is rebuilt
//   by replaying its path when it is expanded, as TLC rebuilds error traces.
// - Workers (worker_threads) expand slices of a level; their candidates are merged in the order
//   one thread would have found them, so the states, their numbering, the counts and the
//   counterexample are the same for any number of workers.
// - Shards split the work between machines with no communication: every shard explores the
//   same first `split` levels, then keeps only the states of that level whose fingerprint falls
//   in its share, and goes on from them alone. A state reached in two shards is explored twice
//   (wasted work, never a missed state); `nscheck merge` combines the results.

import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import { extname, join } from 'node:path';
import type { Start } from '../../spec/initial';
import type { ParsedStep } from '../../spec/ops';
import { semanticsOf, knownFinding, type VariantDef } from '../../spec/variants/define';
import { scaledLimits, type Semantics } from '../../spec/semantics';
import { INVARIANTS } from '../../properties';
import { checkState, MODEL_ERROR, type Muted, type PropertyFailure } from '../run';
import type { Trace, TraceStep } from '../trace';
import { replay } from '../replay';
import { enumerateActions } from './actions';
import { expandStates, makeContext, rebuild, type ExpandContext, type ExpandResult, type FoundViolation } from './expand';
import { collisionProbability, FingerprintSet } from './fpset';
import { searchSemantics, type Scope } from './scope';
import { looksLikeFile } from '../variants';
import { builtinVariant } from '../../spec/variants';
export { searchSemantics };


export interface ExhaustiveOptions {
  readonly def: VariantDef;
  /** how a worker thread loads the variant: a built-in name or the variant file */
  readonly variantArg: string;
  readonly scope: Scope;
  readonly depth: number;
  readonly workers?: number;
  readonly shard?: { readonly index: number; readonly count: number };
  /** the level at which shards part (default min(2, depth)) */
  readonly split?: number;
  /** stop after this many properties have a counterexample (default 1) */
  readonly maxErrors?: number;
  readonly symmetry?: boolean;
  readonly start?: Start;
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: ExhaustiveProgress) => void;
  /** search for this property only: stop when it breaks (other violations are collected on the way, and their states not expanded) */
  readonly target?: string;
  /** stop (stopped: 'budget') before a level that would start with more distinct states than this */
  readonly maxStates?: number;
  /** in-process search only (workers 1): these semantics and mutes instead of the variant's */
  readonly sem?: Semantics;
  readonly muted?: Muted;
}

export interface ExhaustiveProgress {
  readonly depth: number;
  /**
   * distinct states: those of the finished levels, plus the new states the slices of this level
   * found so far (merged at the end of the level; two slices may find the same state, so this
   * part can count a state twice until then)
   */
  readonly distinct: number;
  readonly generated: number;
  /** states of the level being expanded that are still to do */
  readonly queue: number;
  readonly elapsedMs: number;
}

export interface FoundCounterexample {
  readonly property: string;
  readonly failure: PropertyFailure;
  /** the length of its trace: the BFS depth of the violating step */
  readonly depth: number;
  /** action indices from the initial state */
  readonly path: readonly number[];
  readonly trace: Trace;
}

export interface LevelStats {
  readonly depth: number;
  /** distinct states first reached at this depth */
  readonly states: number;
  /** transitions generated while expanding the previous level */
  readonly generated: number;
}

export interface ExhaustiveResult {
  readonly variant: string;
  readonly scope: string;
  readonly depth: number;
  /** the deepest level whose every state was expanded (depth when complete) */
  readonly depthDone: number;
  readonly stopped: 'done' | 'violation' | 'interrupted' | 'budget';
  readonly distinct: number;
  readonly generated: number;
  readonly levels: readonly LevelStats[];
  readonly counterexamples: readonly FoundCounterexample[];
  readonly rules: Readonly<Record<string, number>>;
  readonly bytesPerState: number;
  readonly collisionProbability: number;
  readonly workers: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly symmetry: boolean;
  readonly ms: number;
}

/** Growable parallel arrays: per state its parent and the action that reached it. */
class Tree {
  parent = new Uint32Array(1024);
  action = new Uint32Array(1024);
  n = 0;
  push(p: number, a: number): number {
    if (this.n === this.parent.length) {
      const p2 = new Uint32Array(this.n * 2);
      p2.set(this.parent);
      this.parent = p2;
      const a2 = new Uint32Array(this.n * 2);
      a2.set(this.action);
      this.action = a2;
    }
    this.parent[this.n] = p;
    this.action[this.n] = a;
    return this.n++;
  }
  path(i: number): number[] {
    const out: number[] = [];
    for (let k = i; k > 0; k = this.parent[k]!) out.push(this.action[k]!);
    return out.reverse();
  }
}

const ROOT_PARENT = 0xffffffff;

/** The steps a path of action indices stands for, replayed from the initial state. */
export function pathSteps(ctx: ExpandContext, path: readonly number[]): ParsedStep[] {
  const steps: ParsedStep[] = [];
  for (let i = 0; i < path.length; i++) {
    const world = rebuild(ctx, path.slice(0, i));
    const step = enumerateActions(world, ctx.scope, !ctx.observers)[path[i]!];
    if (!step) throw new Error(`model bug: path action ${path[i]} at step ${i} does not exist`);
    steps.push(step);
  }
  return steps;
}

/** A complete trace of a counterexample path: every step with its result, the verdict. */
function counterexampleTrace(ctx: ExpandContext, path: readonly number[], property: string, scope: Scope, variantArg: string): Trace {
  const steps = pathSteps(ctx, path);
  const limits = scaledLimits(ctx.sem);
  const base: Trace = {
    variant: ctx.sem.name, title: `${ctx.sem.name} breaks ${property}`, expect: { violates: property }, steps,
    ...(ctx.start ? { start: ctx.start } : {}), ...(limits ? { limits } : {}),
  };
  const r = replay(base, ctx.sem, { keepFrom: Infinity });
  const withExpect: TraceStep[] = steps.map((s, i) => ({ ...s, expect: r.steps[i]?.result ?? '?' }));
  return { ...base, steps: withExpect, source: `nscheck check --exhaustive --depth ${path.length} --scope ${scope.name} --variant ${variantArg}` };
}

interface Pool {
  run(paths: readonly (readonly number[])[], first: number, seen: FingerprintSet): Promise<ExpandResult>;
  close(): Promise<void>;
}

function localPool(ctx: ExpandContext, shouldStop?: () => boolean): Pool {
  return {
    run: async (paths, first, seen) => expandStates(ctx, paths, first, seen, shouldStop),
    close: async () => undefined,
  };
}

/** A pool of worker threads, each expanding the slices it is given. */
function workerPool(n: number, init: object): Pool {
  const file = join(__dirname, `worker${extname(__filename)}`);
  const execArgv = extname(__filename) === '.ts' ? ['-r', 'ts-node/register/transpile-only'] : [];
  const workers = Array.from({ length: n }, () => new Worker(file, { workerData: init, execArgv }));
  const idle: Worker[] = [...workers];
  const waiting: ((w: Worker) => void)[] = [];
  const acquire = () => new Promise<Worker>((r) => (idle.length ? r(idle.pop()!) : waiting.push(r)));
  const release = (w: Worker) => (waiting.length ? waiting.shift()!(w) : idle.push(w));
  return {
    async run(paths, first, seen) {
      const w = await acquire();
      try {
        return await new Promise<ExpandResult>((resolve, reject) => {
          const onMsg = (m: { error?: string; candidates: Uint32Array; count: number; violations: FoundViolation[]; generated: number; rules: [string, number][] }) => {
            w.off('error', onErr);
            if (m.error) reject(new Error(m.error));
            else resolve({ candidates: m.candidates, count: m.count, violations: m.violations, generated: m.generated, rules: new Map(m.rules) });
          };
          const onErr = (e: Error) => {
            w.off('message', onMsg);
            reject(e);
          };
          w.once('message', onMsg);
          w.once('error', onErr);
          w.postMessage({ paths, first, seen: seen.buffer, seenCount: seen.count });
        });
      } finally {
        release(w);
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

export async function exhaustive(opts: ExhaustiveOptions): Promise<ExhaustiveResult> {
  const t0 = Date.now();
  const scope = opts.scope;
  const sem = opts.sem ?? searchSemantics(opts.def, scope);
  const mutes = (opts.muted ?? opts.def.knownFindings ?? []).map(knownFinding);
  const symmetry = opts.symmetry ?? true;
  const ctx = makeContext(sem, scope, mutes, { symmetry, ...(opts.start ? { start: opts.start } : {}) });
  // worker threads load the variant again by variantArg: a built-in name or a file; a variant
  // defined in code (a library caller's) is searched in this thread
  const loadable = looksLikeFile(opts.variantArg) || builtinVariant(opts.variantArg)?.name === opts.def.name;
  const nWorkers = opts.sem || !loadable ? 1 : Math.max(1, Math.min(opts.workers ?? cpus().length, 64));
  const maxErrors = opts.target !== undefined ? Infinity : (opts.maxErrors ?? 1);
  const targetFound = () => opts.target !== undefined && (found.has(opts.target) || found.has(MODEL_ERROR));
  const split = Math.min(opts.split ?? 2, opts.depth);
  const seen = new FingerprintSet(1 << 16, nWorkers > 1);
  const tree = new Tree();
  const fpOf: number[] = []; // fingerprints (lo halves) of the current level, for shards
  const levels: LevelStats[] = [];
  const found = new Map<string, FoundCounterexample>();
  const rules = new Map<string, number>();
  let generated = 0;
  let stopped: ExhaustiveResult['stopped'] = 'done';

  // the initial state
  const root = rebuild(ctx, []);
  const fp = new Uint32Array(2);
  ctx.canon.fingerprint(root, fp);
  seen.add(fp[0]!, fp[1]!);
  tree.push(ROOT_PARENT, 0);
  fpOf.push(fp[1]!);
  levels.push({ depth: 0, states: 1, generated: 0 });
  const rootBroken = checkState(sem, root, mutes);
  for (const f of rootBroken ?? []) if (!found.has(f.property)) found.set(f.property, { property: f.property, failure: f, depth: 0, path: [], trace: counterexampleTrace(ctx, [], f.property, scope, opts.variantArg) });

  const pool = nWorkers > 1
    ? workerPool(nWorkers, { variantArg: opts.variantArg, scope: scopeDoc(scope), symmetry, start: opts.start ?? null })
    : localPool(ctx, opts.shouldStop);
  let levelStart = 0;
  let levelEnd = 1;
  let bad = new Set<number>(rootBroken ? [0] : []);
  let depthDone = 0;
  try {
    for (let d = 0; d < opts.depth && found.size < maxErrors && !targetFound(); d++) {
      if (opts.maxStates !== undefined && levelEnd - levelStart > opts.maxStates) {
        stopped = 'budget';
        break;
      }
      // the frontier: this level's states that did not break an invariant (and, past the split, this shard's)
      let frontier: number[] = [];
      for (let i = levelStart; i < levelEnd; i++) if (!bad.has(i)) frontier.push(i);
      if (opts.shard && d === split) frontier = frontier.filter((i) => (fpOf[i - levelStart]! % opts.shard!.count) === opts.shard!.index);
      // slices of at most 256 states: progress, Ctrl-C and time caps are seen between slices
      const chunk = Math.max(1, Math.min(256, Math.ceil(frontier.length / (nWorkers * 8))));
      const slices: number[][] = [];
      for (let i = 0; i < frontier.length; i += chunk) slices.push(frontier.slice(i, i + chunk));
      let done = 0;
      let levelGen = 0;
      let levelNew = 0;
      // as many lanes as workers take the next slice in turn; results are kept in slice order
      const results: ExpandResult[][] = [];
      let nextSlice = 0;
      const expandSlice = async (slice: readonly number[]): Promise<ExpandResult[]> => {
        // a slice is a run of consecutive states when nothing was filtered out; else one by one
        const parts: ExpandResult[] = [];
        let k = 0;
        while (k < slice.length) {
          let j = k + 1;
          while (j < slice.length && slice[j] === slice[j - 1]! + 1) j++;
          const paths = slice.slice(k, j).map((i) => tree.path(i));
          parts.push(await pool.run(paths, slice[k]!, seen));
          k = j;
        }
        done += slice.length;
        for (const p of parts) {
          levelGen += p.generated;
          levelNew += p.count;
        }
        opts.onProgress?.({ depth: d, distinct: seen.count + levelNew, generated: generated + levelGen, queue: frontier.length - done, elapsedMs: Date.now() - t0 });
        return parts;
      };
      // Ctrl-C or a time cap ends the level part-way, between slices (the level is then not done)
      await Promise.all(Array.from({ length: nWorkers }, async () => {
        while (nextSlice < slices.length && !opts.shouldStop?.()) {
          const i = nextSlice++;
          results[i] = await expandSlice(slices[i]!);
        }
      }));
      if (opts.shouldStop?.()) {
        stopped = 'interrupted';
        break;
      }
      // merge, in the order one thread would have found them
      const nextStart = tree.n;
      const newFp: number[] = [];
      const nextBad = new Set<number>();
      let levelGenerated = 0;
      const violations: { state: number | undefined; v: FoundViolation }[] = [];
      for (const parts of results) {
        for (const r of parts) {
          levelGenerated += r.generated;
          for (const [rule, c] of r.rules) rules.set(rule, (rules.get(rule) ?? 0) + c);
          const byEdge = new Map<string, FoundViolation[]>();
          for (const v of r.violations) {
            const key = `${v.parent}:${v.action}`;
            const l = byEdge.get(key);
            if (l) l.push(v);
            else byEdge.set(key, [v]);
          }
          const mergedEdges = new Set<string>();
          for (let c = 0; c < r.count; c++) {
            const hi = r.candidates[4 * c]!, lo = r.candidates[4 * c + 1]!, parent = r.candidates[4 * c + 2]!, action = r.candidates[4 * c + 3]!;
            const key = `${parent}:${action}`;
            const isNew = seen.add(hi, lo);
            const idx = isNew ? tree.push(parent, action) : undefined;
            if (isNew) newFp.push(lo);
            const vs = byEdge.get(key);
            if (vs) {
              mergedEdges.add(key);
              for (const v of vs) {
                // an invariant violation counts where the state is first reached (and that state
                // is not expanded: what follows from it says nothing more); an edge's, always
                if (isNew || !isStateViolation(v)) violations.push({ state: idx, v });
                if (isNew && isStateViolation(v)) nextBad.add(idx!);
              }
            }
          }
          // violations on edges that produced no new candidate (failing calls, ModelError)
          for (const [key, vs] of byEdge) if (!mergedEdges.has(key)) for (const v of vs) if (!isStateViolation(v)) violations.push({ state: undefined, v });
        }
      }
      generated += levelGenerated;
      levels.push({ depth: d + 1, states: tree.n - nextStart, generated: levelGenerated });
      depthDone = d + 1;
      for (const { v } of violations.sort((a, b) => a.v.parent - b.v.parent || a.v.action - b.v.action)) {
        if (found.has(v.failure.property) || found.size >= maxErrors) continue;
        const path = [...tree.path(v.parent), v.action];
        found.set(v.failure.property, { property: v.failure.property, failure: v.failure, depth: path.length, path, trace: counterexampleTrace(ctx, path, v.failure.property, scope, opts.variantArg) });
      }
      levelStart = nextStart;
      levelEnd = tree.n;
      fpOf.length = 0;
      for (const x of newFp) fpOf.push(x);
      bad = nextBad;
      if (levelEnd === levelStart) break; // nothing new: the whole space is explored
    }
  } finally {
    await pool.close();
  }
  if (stopped === 'done' && found.size > 0) stopped = 'violation';
  const counterexamples = [...found.values()].sort((a, b) => a.depth - b.depth || a.property.localeCompare(b.property));
  return {
    variant: sem.name, scope: scope.name, depth: opts.depth, depthDone, stopped, distinct: seen.count, generated,
    levels, counterexamples, rules: Object.fromEntries([...rules.entries()].sort()), bytesPerState: seen.bytesPerState,
    collisionProbability: collisionProbability(seen.count, generated), workers: nWorkers, symmetry,
    ...(opts.shard ? { shard: opts.shard } : {}), ms: Date.now() - t0,
  };
}

/** State invariants (as opposed to transition properties and ModelError, which belong to an edge). */
const STATE_PROPERTIES: ReadonlySet<string> = new Set(INVARIANTS.map((i) => i.name));
function isStateViolation(v: FoundViolation): boolean {
  return STATE_PROPERTIES.has(v.failure.property);
}

/** The scope as the document a worker rebuilds it from. */
function scopeDoc(s: Scope): object {
  const { fork: _f, cloneProbe: _c, unshare: _u, pidfdSetns: _p, fdVarNames: _v, groupSize: _g, ...doc } = s;
  return doc;
}

export type { Muted };
