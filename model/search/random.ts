// Random search: fast-check drives intents (model/search/generate.ts) drawn from the scope
// through the spec, every property is checked after every step, and a violation is shrunk by
// fast-check over the intents, then over the explicit steps (model/search/shrink.ts).
//
// Every run has its own swarm configuration (a subset of the ops and flag sets, with weights),
// drawn from a seed that fast-check generates and shrinks with the commands.
//
// Runs go in chunks of CHUNK runs, chunk k seeded from (seed, k), so a seed and a run count
// always give the same result, and between chunks the process can notice Ctrl-C or a time
// budget and report what it has.

import fc from 'fast-check';
import { initialState } from '../../spec/initial';
import type { ParsedStep } from '../../spec/ops';
import { scaledLimits, withLimits, type Limits, type Semantics } from '../../spec/semantics';
import type { World } from '../../spec/state';
import { MODEL_ERROR, runChecked, type Muted, type PropertyFailure } from '../run';
import type { Trace, TraceStep } from '../trace';
import { fullSwarm, resolveIntent, swarmOf, type Intent, type Memo, type Swarm } from './generate';
import { searchSemantics, type Scope } from './scope';
import type { VariantDef } from '../../spec/variants/define';
import { shorterBySearch } from './shorten';
import { shrink } from './shrink';

export const CHUNK = 50;

export interface Coverage {
  /** op → result → count */
  readonly results: Record<string, Record<string, number>>;
  /** rule → count of refusals */
  readonly rules: Record<string, number>;
  steps: number;
}

export function emptyCoverage(): Coverage {
  return { results: {}, rules: {}, steps: 0 };
}

/** Count one step's result (results with a value are grouped as `name=…`). */
export function countResult(cov: Coverage, op: string, result: string, rule: string | undefined): void {
  cov.steps++;
  const byOp = (cov.results[op] ??= {});
  const key = result.includes('=') ? result.slice(0, result.indexOf('=') + 1) + '…' : result;
  byOp[key] = (byOp[key] ?? 0) + 1;
  if (rule !== undefined) cov.rules[rule] = (cov.rules[rule] ?? 0) + 1;
}

class ViolationFound extends Error {
  constructor(readonly failure: PropertyFailure) {
    super(`${failure.property}: ${failure.violation.message}`);
  }
}

/** The system under test of one run: the current state and the steps taken so far. */
class Run {
  readonly state: World;
  readonly steps: ParsedStep[] = [];
  readonly memo: Memo = {};
  constructor(readonly sem: Semantics, readonly swarm: Swarm, readonly coverage: Coverage | undefined, readonly target?: string, readonly muted: Muted = []) {
    this.state = initialState(sem);
  }
}

/** The fast-check model: only whether the run already broke a property other than the target. */
interface Model {
  dead: boolean;
}

class IntentCommand implements fc.Command<Model, Run> {
  constructor(readonly intent: Intent) {}
  check(m: Readonly<Model>): boolean {
    return !m.dead;
  }
  run(m: Model, r: Run): void {
    const step = resolveIntent(r.state, r.swarm, this.intent, r.memo);
    if (!step) return; // nothing of this run's configuration applies here (every task exited)
    const res = runChecked(r.sem, r.state, step, r.muted, true);
    if (r.coverage) countResult(r.coverage, step.op.name, res.result, res.outcome && !res.outcome.ok ? res.outcome.rule : undefined);
    r.steps.push(step);
    if (!res.broken) return;
    // a search for one property still stops on an exception in the model: a finding about the variant
    const hit = r.target === undefined ? res.allBroken[0] : res.allBroken.find((b) => b.property === r.target) ?? res.allBroken.find((b) => b.property === MODEL_ERROR);
    if (hit) throw new ViolationFound(hit);
    m.dead = true; // another property broke: this run says nothing about the target
  }
  toString(): string {
    return `intent(${this.intent.n.join(',')})`;
  }
}

const nat = fc.nat({ max: 0xffff });
const commandArbs: fc.Arbitrary<fc.Command<Model, Run>>[] = [
  fc.tuple(nat, nat, nat).map((n): fc.Command<Model, Run> => new IntentCommand({ n })),
];

export interface RandomOptions {
  /** the semantics to search (with the scope's constants applied: searchSemantics) */
  readonly sem: Semantics;
  readonly scope: Scope;
  readonly runs: number;
  readonly maxSteps: number;
  readonly seed: number;
  /** one configuration for every run (every op of the scope at its usual weight) instead of swarm testing */
  readonly noSwarm?: boolean;
  /**
   * the semantics of a run that scales limits down (default: withLimits(sem, limits));
   * randomSemantics gives one that keeps the limits a variant sets itself
   */
  readonly semWithLimits?: (limits: Partial<Limits>) => Semantics;
  /** stop starting new chunks after this many milliseconds */
  readonly timeMs?: number;
  readonly coverage?: Coverage;
  /** what the search does not stop on: the variant's known kernel findings */
  readonly ignore?: Muted;
  /** search for this property only (a mutant's expected invariant); runs breaking another one are dropped */
  readonly target?: string;
  /** asked between chunks; true stops the search (Ctrl-C) */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (runsDone: number, stepsDone: number) => void;
  /** a clock for time budgets and the time-to-find figure (injected so tests stay deterministic) */
  readonly now?: () => number;
}

export interface Counterexample {
  readonly property: string;
  readonly failure: PropertyFailure;
  /** complete: verdict, variant and every step's expect filled in */
  readonly trace: Trace;
  readonly shrunkLength: number;
  /** length of the failing run before shrinking */
  readonly foundLength: number;
  readonly runsToFind: number;
  readonly stepsToFind: number;
  readonly msToFind: number;
  /** how many runs broke the property (the first, and those of the extra runs after it); the shortest is kept */
  readonly finds: number;
  /** runs after the first find, spent looking for shorter counterexamples */
  readonly extraRuns: number;
}

export interface RandomResult {
  readonly variant: string;
  readonly scope: string;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly stopped: 'done' | 'time' | 'interrupted' | 'violation';
  readonly counterexample?: Counterexample;
}

/**
 * What random search needs of a variant in a scope: the search's semantics, those of the runs
 * that scale limits down, and the known findings not to stop on. Spread it into RandomOptions.
 */
export function randomSemantics(def: VariantDef, scope: Scope): { sem: Semantics; semWithLimits: (limits: Partial<Limits>) => Semantics; ignore: Muted } {
  const sem = searchSemantics(def, scope);
  const made = new Map<string, Semantics>();
  const semWithLimits = (limits: Partial<Limits>): Semantics => {
    const key = JSON.stringify(limits);
    let out = made.get(key);
    if (!out) made.set(key, (out = searchSemantics(def, scope, limits)));
    return out;
  };
  // the variant's known kernel findings are not stopped on (a caller may pass its own ignore after the spread)
  return { sem, semWithLimits, ignore: def.knownFindings ?? [] };
}

export function chunkSeed(seed: number, k: number): number {
  return (seed + Math.imul(k, 0x9e3779b1)) >>> 0;
}

/** What one chunk of runs found: the first failing run's explicit steps, or nothing. */
interface ChunkFind {
  readonly property: string;
  readonly steps: ParsedStep[];
  readonly sem: Semantics;
  readonly foundLength: number;
  /** steps taken in this chunk up to the failing run's end */
  readonly stepsBefore: number;
  /** runs of the chunk up to and including the failing one */
  readonly runs: number;
}

/** Extra runs after the first find, to look for shorter counterexamples of the same property: as many as it took, at most this many. */
const EXTRA_RUNS_MAX = 2000;
/** At most this many finds are shrunk and compared. */
const FINDS_MAX = 5;

export async function randomSearch(opts: RandomOptions): Promise<RandomResult> {
  const now = opts.now ?? Date.now;
  const start = now();
  let runsDone = 0;
  const coverage = opts.coverage ?? emptyCoverage();
  const stepsBefore = coverage.steps;
  const full = fullSwarm(opts.scope);
  const swarmFor = (n: number) => (opts.noSwarm ? full : swarmOf(opts.scope, n));
  // the semantics of a run: the search's, or with the limits scaled down (a quarter of swarm runs)
  const scaled = opts.semWithLimits ?? ((limits: Partial<Limits>) => withLimits(opts.sem, limits));
  const semFor = (sw: Swarm) => (sw.limits ? scaled(sw.limits) : opts.sem);
  const arb = fc.tuple(fc.nat(), fc.commands(commandArbs, { maxCommands: opts.maxSteps, size: 'max' }));

  const chunk = (k: number, numRuns: number, target: string | undefined): ChunkFind | undefined => {
    let firstFailLength = 0;
    let stepsAtFail = 0;
    const chunkStart = coverage.steps;
    const details = fc.check(
      fc.property(arb, ([swarmSeed, cmds]) => {
        const sw = swarmFor(swarmSeed);
        const real = new Run(semFor(sw), sw, coverage, target, opts.ignore);
        try {
          fc.modelRun(() => ({ model: { dead: false }, real }), cmds);
        } catch (e) {
          if (firstFailLength === 0) {
            firstFailLength = real.steps.length;
            stepsAtFail = coverage.steps - chunkStart;
          }
          throw e;
        }
      }),
      { seed: chunkSeed(opts.seed, k), numRuns },
    );
    if (!details.failed || !details.counterexample) return undefined;
    const err = details.errorInstance;
    if (!(err instanceof ViolationFound)) throw err instanceof Error ? err : new Error('property failed without a violation');
    const [swarmSeed, cmds] = details.counterexample[0];
    const sw = swarmFor(swarmSeed);
    const sem = semFor(sw);
    const steps = explicitSteps(sem, sw, [...cmds] as unknown as IntentCommand[], target, opts.ignore);
    return { property: err.failure.property, steps, sem, foundLength: firstFailLength, stepsBefore: stepsAtFail, runs: details.numRuns };
  };

  for (let k = 0; runsDone < opts.runs; k++) {
    if (opts.shouldStop?.()) return result('interrupted');
    if (opts.timeMs !== undefined && now() - start > opts.timeMs) return result('time');
    const numRuns = Math.min(CHUNK, opts.runs - runsDone);
    const stepsBeforeChunk = coverage.steps - stepsBefore;
    const first = chunk(k, numRuns, opts.target);
    if (first) {
      const runsToFind = runsDone + first.runs;
      const msToFind = now() - start;
      const stepsToFind = stepsBeforeChunk + first.stepsBefore;
      // more finds of the same property, the shortest of which is kept
      const finds: ChunkFind[] = [first];
      const extra = Math.min(EXTRA_RUNS_MAX, Math.max(CHUNK, runsToFind));
      let extraRuns = 0;
      for (let j = k + 1; extraRuns < extra && finds.length < FINDS_MAX && !opts.shouldStop?.(); j++) {
        const f = chunk(j, CHUNK, first.property);
        if (f) finds.push(f);
        extraRuns += f ? f.runs : CHUNK;
      }
      const shrunk = finds.map((f) => ({ f, s: shrink(f.sem, f.steps, f.property, opts.ignore) }));
      shrunk.sort((a, b) => a.s.steps.length - b.s.steps.length);
      const best = shrunk[0]!;
      const cx = await counterexampleOf(best.f.sem, best.s.steps, first.property, opts.ignore);
      runsDone = runsToFind + extraRuns;
      opts.onProgress?.(runsDone, coverage.steps - stepsBefore);
      return {
        ...result('violation'),
        counterexample: { ...cx, foundLength: first.foundLength, runsToFind, stepsToFind, msToFind, finds: finds.length, extraRuns },
      };
    }
    runsDone += numRuns;
    opts.onProgress?.(runsDone, coverage.steps - stepsBefore);
    await new Promise((r) => setImmediate(r));
  }
  return result('done');

  function result(stopped: RandomResult['stopped']): RandomResult {
    return { variant: opts.sem.name, scope: opts.scope.name, seed: opts.seed, runs: runsDone, steps: coverage.steps - stepsBefore, stopped };
  }
}

/** The explicit steps fast-check's shrunk intents resolve to. */
function explicitSteps(sem: Semantics, swarm: Swarm, intents: readonly IntentCommand[], target: string | undefined, ignore: Muted = []): ParsedStep[] {
  const run = new Run(sem, swarm, undefined, target, ignore);
  const model: Model = { dead: false };
  for (const c of intents) {
    if (model.dead) break;
    try {
      c.run(model, run);
    } catch (e) {
      if (e instanceof ViolationFound) break;
      throw e;
    }
  }
  return run.steps;
}

/**
 * Shrink explicit steps that break `property` (shrink.ts), look for a shorter trace breadth-first
 * in the scope the result spans (shorten.ts), and write the result as a complete trace.
 */
export async function counterexampleOf(sem: Semantics, steps: readonly ParsedStep[], property: string, muted: Muted = []): Promise<Omit<Counterexample, 'foundLength' | 'runsToFind' | 'stepsToFind' | 'msToFind' | 'finds' | 'extraRuns'>> {
  let s = shrink(sem, steps, property, muted);
  const shorter = await shorterBySearch(sem, s.steps, property, muted);
  if (shorter) s = shrink(sem, shorter, property, muted);
  const withExpect: TraceStep[] = s.steps.map((st, i) => ({ ...st, expect: s.results[i]! }));
  const limits = scaledLimits(sem);
  const trace: Trace = {
    title: `${sem.name} breaks ${property}`,
    variant: sem.name,
    expect: { violates: property },
    ...(limits ? { limits } : {}),
    steps: withExpect,
  };
  return { property, failure: s.failure, trace, shrunkLength: s.steps.length };
}
