// Random differential conformance: traces drawn with the checker's generator run on the model
// and on the kernel; a disagreement is shrunk to a minimal trace and saved with the kernel's
// results (nscheck conform --random). Also the executor-vs-model bench. The comparison of one
// trace is model/conform.ts.

import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { initialState } from '../spec/initial';
import { runStep, type ParsedStep } from '../spec/ops';
import type { Semantics } from '../spec/semantics';
import type { NsId, State } from '../spec/state';
import { defaultSemantics } from '../spec/variants';
import { chunkSeed } from './search/random';
import { resolveIntent, swarmOf, xorshift } from './search/generate';
import { loadScope, type Scope } from './search/scope';
import { sandboxPidLevel } from './executor/kernel';
import { conformSteps, INUM_RESULT, REPO_ROOT, runModel, type ConformOptions, type ConformResult, type Disagreement } from './conform';
import { kernelAvailable, runTraceOnKernel } from './executor/kernel';
import { readTrace, type Trace, type TraceStep } from './trace';

// ------------------------------------------------------------------ random traces

/** The scope random conformance draws from: the default's choices with room for long traces. */
export const CONFORM_SCOPE = 'wide';
let conformScope: Scope | undefined;

/**
 * Steps the executor cannot run to completion. The init of a pid namespace (other than the
 * initial one) that exits while other tasks of its namespace are not yet reaped stays in
 * zap_pid_ns_processes() until they are, and a member whose parent is outside the namespace is
 * reaped only when that parent waits: the exit step would never finish (the model completes it
 * at once). Such exits are left out of random traces.
 */
export function executorUnsafe(state: State, step: ParsedStep): boolean {
  if (step.op.name !== 'exit') return false;
  const id = state.names.get(step.task);
  const t = id === undefined ? undefined : state.tasks[id];
  if (!t || t.state !== 'running') return false;
  const ns = state.ns[t.pidNs];
  if (!ns || ns.level === 0 || ns.reaper !== t.id) return false;
  const inside = (nsId: NsId): boolean => {
    for (let n = state.ns[nsId]; n; n = n.parent === null ? undefined : state.ns[n.parent]) if (n.id === ns.id) return true;
    return false;
  };
  return state.tasks.some((o) => o.id !== t.id && o.leader !== t.leader && o.state !== 'reaped' && inside(o.pidNs));
}

/** Random trace k of a seed: intents drawn from the scope's domains against the live model state, each trace its own swarm configuration, as random search does. */
export function randomTrace(sem: Semantics, seed: number, k: number, maxSteps: number): ParsedStep[] {
  const scope = (conformScope ??= loadScope(CONFORM_SCOPE));
  const next = xorshift(chunkSeed(seed, k));
  const len = 1 + (next() % maxSteps);
  const swarm = swarmOf(scope, next());
  const state = initialState(sem, { pidLevel: sandboxPidLevel() });
  const steps: ParsedStep[] = [];
  for (let i = 0; i < len; i++) {
    const step = resolveIntent(state, swarm, { n: [next() & 0xffff, next() & 0xffff, next() & 0xffff] });
    if (!step) break;
    if (executorUnsafe(state, step)) continue;
    steps.push(step);
    runStep(sem, state, step);
  }
  return steps;
}

// ------------------------------------------------------------------ shrinking

export interface Shrunk {
  readonly steps: ParsedStep[];
  readonly result: Omit<ConformResult, 'variant'>;
  readonly runs: number;
}

function firstDisagreement(r: { disagreements: readonly Disagreement[] }): Disagreement | undefined {
  return r.disagreements.filter((d) => d.kind !== 'timeout')[0];
}

/**
 * Remove steps (halves, then quarters, ... then single steps) while the first disagreement keeps
 * its signature; both sides are re-run for every candidate. Steps after the first disagreeing
 * step are dropped first (a liveness disagreement needs the whole run).
 */
export async function shrinkDisagreement(steps: readonly ParsedStep[], sem: Semantics, target: string, opts: ConformOptions = {}, budgetMs = 120000): Promise<Shrunk | undefined> {
  const t0 = Date.now();
  let runs = 0;
  const attempt = async (cand: readonly ParsedStep[]): Promise<Omit<ConformResult, 'variant'> | undefined> => {
    runs++;
    const r = await conformSteps(cand, sem, opts);
    const d = firstDisagreement(r);
    return d && d.signature === target && !r.notReproducible ? r : undefined;
  };
  let cur = [...steps];
  let best = await attempt(cur);
  if (!best) return undefined;
  const cut = (r: Omit<ConformResult, 'variant'>, s: ParsedStep[]): ParsedStep[] => {
    const d = firstDisagreement(r)!;
    return d.kind === 'liveness' ? s : s.slice(0, d.index + 1);
  };
  cur = cut(best, cur);
  let chunk = Math.max(1, Math.floor(cur.length / 2));
  while (Date.now() - t0 < budgetMs) {
    let removed = false;
    let start = cur.length - chunk;
    while (start >= 0 && Date.now() - t0 < budgetMs) {
      const cand = cur.slice(0, start).concat(cur.slice(start + chunk));
      const r = cand.length > 0 ? await attempt(cand) : undefined;
      if (r) {
        cur = cut(r, cand);
        best = r;
        removed = true;
      }
      start = Math.min(start - chunk, cur.length - chunk);
    }
    if (!removed) {
      if (chunk === 1) break;
      chunk = Math.max(1, Math.floor(chunk / 2));
    }
  }
  // the final candidate is confirmed by a fresh run
  const confirm = await attempt(cur);
  if (confirm) best = confirm;
  return { steps: cur, result: best, runs };
}

/** The trace a disagreement is saved as: every step's expect is the kernel's result. */
export function kernelTrace(steps: readonly ParsedStep[], r: Omit<ConformResult, 'variant'>, sem: Semantics, d: Disagreement, source: string): Trace {
  const withExpect: TraceStep[] = steps.map((s, i) => {
    const k = r.kernelResults[i];
    const cmp = r.steps[i];
    // an inode number that agreed as an identity is written as the model's (the format's
    // inode numbers are the model's own); everything else is the kernel's result
    const e = cmp && cmp.agree && k !== undefined && INUM_RESULT.test(k) ? cmp.model : k;
    return e === undefined ? { ...s } : { ...s, expect: e };
  });
  const what = d.kind === 'liveness'
    ? `${d.call}: model ${d.model}, kernel ${d.kernel}`
    : `step ${d.index} ${d.task} ${steps[d.index]?.op.name ?? '?'}: model ${d.model}, kernel ${d.kernel}`;
  return {
    title: `model/kernel disagreement (${d.kind}): ${what}`,
    variant: sem.name,
    expect: 'holds',
    source,
    ...(r.pidLevel !== 0 ? { start: { pidLevel: r.pidLevel } } : {}),
    steps: withExpect,
  };
}

// ------------------------------------------------------------------ random runs

export interface RandomOptions {
  readonly sem?: Semantics;
  readonly runs: number;
  readonly seed: number;
  readonly maxSteps: number;
  readonly stepTimeoutMs?: number;
  readonly shrink?: boolean;
  readonly shrinkBudgetMs?: number;
  readonly onTrace?: (k: number, r: Omit<ConformResult, 'variant'>) => void;
  readonly shouldStop?: () => boolean;
  /** signature → documented trace (documentedSignatures): such findings are not shrunk again */
  readonly documented?: ReadonlyMap<string, string>;
  /** sandboxes side by side, each on its own CPU (default: the cores, at most 4) */
  readonly parallel?: number;
}

export interface RandomFinding {
  readonly traceIndex: number;
  readonly signature: string;
  readonly disagreement: Disagreement;
  readonly originalLength: number;
  readonly steps: ParsedStep[];
  readonly result: Omit<ConformResult, 'variant'>;
  readonly trace: Trace;
  /** another finding of this run with the same signature was already shrunk */
  readonly duplicateOf?: number;
  /** the documented trace that shows the same disagreement */
  readonly documented?: string;
  /** running the kernel side again did not show it (or shrinking could not reproduce it) */
  readonly notReproducible?: boolean;
}

export interface RandomResult {
  readonly runs: number;
  readonly agreeing: number;
  readonly disagreeing: number;
  /** of the disagreeing traces, those whose disagreement is a documented one */
  readonly documented: number;
  /** of the disagreeing traces, those whose disagreement did not come back on a second run */
  readonly notReproducible: number;
  readonly timedOut: { traceIndex: number; step: number; call: string }[];
  readonly findings: RandomFinding[];
  readonly steps: number;
  readonly ms: number;
}

export async function conformRandom(opts: RandomOptions): Promise<RandomResult> {
  const sem = opts.sem ?? defaultSemantics();
  const t0 = Date.now();
  const findings: RandomFinding[] = [];
  const timedOut: RandomResult['timedOut'] = [];
  const shrunkSigs = new Map<string, number>();
  let agreeing = 0, disagreeing = 0, documented = 0, notReproducible = 0, runs = 0, steps = 0;
  const copts: ConformOptions = { stepTimeoutMs: opts.stepTimeoutMs ?? 3000 };
  // traces run `parallel` at a time, each sandbox pinned to its own CPU; results are taken in
  // order, so the outcome does not depend on the number of sandboxes
  const parallel = Math.max(1, opts.parallel ?? Math.min(cpus().length, 4));
  const pending = new Map<number, Promise<{ trace: ParsedStep[]; r: Awaited<ReturnType<typeof conformSteps>> }>>();
  const start = (j: number): void => {
    if (j >= opts.runs || pending.has(j)) return;
    const tr = randomTrace(sem, opts.seed, j, opts.maxSteps);
    pending.set(j, conformSteps(tr, sem, { ...copts, cpu: j % parallel }).then((r) => ({ trace: tr, r })));
  };
  try {
  for (let k = 0; k < opts.runs; k++) {
    if (opts.shouldStop?.()) break;
    for (let j = k; j < k + parallel; j++) start(j);
    const { trace, r } = await pending.get(k)!;
    pending.delete(k);
    runs++;
    steps += trace.length;
    opts.onTrace?.(k, r);
    const d = firstDisagreement(r);
    if (r.timedOut) {
      const t = r.disagreements.find((x) => x.kind === 'timeout')!;
      timedOut.push({ traceIndex: k, step: t.index, call: t.call });
    }
    if (!d) {
      if (!r.timedOut) agreeing++;
      continue;
    }
    disagreeing++;
    const source0 = `nscheck conform --random ${opts.runs} --seed ${opts.seed} --max-steps ${opts.maxSteps} (trace ${k})`;
    if (r.notReproducible) {
      notReproducible++;
      findings.push({ traceIndex: k, signature: d.signature, disagreement: d, originalLength: trace.length, steps: trace, result: r, trace: kernelTrace(trace, r, sem, d, source0), notReproducible: true });
      continue;
    }
    const doc = opts.documented?.get(d.signature);
    if (doc !== undefined) documented++;
    const source = `nscheck conform --random ${opts.runs} --seed ${opts.seed} --max-steps ${opts.maxSteps} (trace ${k})`;
    const dup = shrunkSigs.get(d.signature);
    if (dup !== undefined || doc !== undefined || opts.shrink === false) {
      findings.push({
        traceIndex: k, signature: d.signature, disagreement: d, originalLength: trace.length, steps: trace, result: r, trace: kernelTrace(trace, r, sem, d, source),
        ...(dup !== undefined ? { duplicateOf: dup } : {}), ...(doc !== undefined ? { documented: doc } : {}),
      });
      continue;
    }
    const s = await shrinkDisagreement(trace, sem, d.signature, copts, opts.shrinkBudgetMs ?? 120000);
    if (!s) {
      // it showed twice, but not again when shrinking began: not reproducible after all
      notReproducible++;
      findings.push({ traceIndex: k, signature: d.signature, disagreement: d, originalLength: trace.length, steps: trace, result: r, trace: kernelTrace(trace, r, sem, d, source), notReproducible: true });
      continue;
    }
    const fin = s;
    const fd = firstDisagreement(fin.result) ?? d;
    shrunkSigs.set(d.signature, k);
    findings.push({ traceIndex: k, signature: d.signature, disagreement: fd, originalLength: trace.length, steps: fin.steps, result: fin.result, trace: kernelTrace(fin.steps, fin.result, sem, fd, source) });
  }
  } finally {
    // sandboxes started ahead finish before the result is returned
    await Promise.allSettled([...pending.values()]);
  }
  return { runs, agreeing, disagreeing, documented, notReproducible, timedOut, findings, steps, ms: Date.now() - t0 };
}

// ------------------------------------------------------------------ bench

function corpusTraces(): Trace[] {
  const dir = path.join(REPO_ROOT, 'test', 'regressions', 'kernel');
  return readdirSync(dir).filter((f) => f.endsWith('.trace.json')).sort().map((f) => readTrace(path.join(dir, f)));
}

/**
 * Traces per second through the native executor and through the model, on the same traces
 * (the kernel corpus, test/regressions/kernel/). The kernel figure includes the sandbox set-up
 * of every trace and the namespace handles; 0 when the kernel executor is not usable.
 */
export async function benchConform(): Promise<{ kernelTracesPerSec: number; parallelTracesPerSec: number; sandboxes: number; modelTracesPerSec: number }> {
  const traces = corpusTraces();
  const sem = defaultSemantics();
  // model: repeat until a second has passed, for a stable figure
  let n = 0;
  const m0 = process.hrtime.bigint();
  do {
    for (const t of traces) runModel(t.steps, sem);
    n += traces.length;
  } while (Number(process.hrtime.bigint() - m0) < 1e9);
  const modelTracesPerSec = n / (Number(process.hrtime.bigint() - m0) / 1e9);
  if (!kernelAvailable().ok) return { kernelTracesPerSec: 0, parallelTracesPerSec: 0, sandboxes: 0, modelTracesPerSec };
  const run = (t: Trace, cpu: number) => runTraceOnKernel({ steps: t.steps.map((s) => ({ task: s.task, op: s.op.name, args: { ...s.raw } })) }, { namespaces: true, cpu });
  // one sandbox at a time, then one per CPU side by side
  const k0 = process.hrtime.bigint();
  for (const t of traces) await run(t, 0);
  const kernelTracesPerSec = traces.length / (Number(process.hrtime.bigint() - k0) / 1e9);
  const sandboxes = Math.max(1, Math.min(cpus().length, 4));
  const k1 = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: sandboxes }, async (_, cpu) => {
    while (next < traces.length) await run(traces[next++]!, cpu);
  }));
  const parallelTracesPerSec = traces.length / (Number(process.hrtime.bigint() - k1) / 1e9);
  return { kernelTracesPerSec, parallelTracesPerSec, sandboxes, modelTracesPerSec };
}
