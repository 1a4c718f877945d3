// The checker: fast-check drives random intents (model/generate.ts) through the spec, every
// property (properties/) is checked after every step, and a violation is shrunk by fast-check,
// then made 1-minimal over the explicit steps: removing any single step of the saved trace
// makes it stop breaking the same property.
//
// Runs go in chunks of CHUNK runs, chunk k seeded from (seed, k), so a seed and a run count
// always give the same result, and between chunks the process can notice Ctrl-C or a time
// budget and report what it has.

import fc from 'fast-check';
import { initialState } from '../spec/initial';
import type { ParsedStep } from '../spec/ops';
import type { Semantics } from '../spec/semantics';
import type { World } from '../spec/state';
import { GENERATED_OPS, OP_WEIGHTS, resolveStep, type Intent, type ResolveCtx } from './generate';
import { runChecked, type Muted, type PropertyFailure } from './run';
import type { Trace, TraceStep } from './trace';

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

class ViolationFound extends Error {
  constructor(readonly failure: PropertyFailure) {
    super(`${failure.property}: ${failure.violation.message}`);
  }
}

/** The system under test of one run: the current state and what happened so far. */
class Run {
  readonly state: World;
  readonly ctx: ResolveCtx = { nextTask: 1 };
  readonly steps: TraceStep[] = [];
  constructor(readonly sem: Semantics, readonly coverage: Coverage | undefined, readonly target?: string, readonly muted: Muted = []) {
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
    const step = resolveStep(r.state, this.intent, r.ctx);
    const res = runChecked(r.sem, r.state, step, r.muted);
    const result = res.result;
    const cov = r.coverage;
    if (cov) {
      cov.steps++;
      const byOp = (cov.results[step.op.name] ??= {});
      byOp[result.includes('=') ? result.slice(0, result.indexOf('=') + 1) + '…' : result] = (byOp[result] ?? 0) + 1;
      if (res.outcome && !res.outcome.ok) cov.rules[res.outcome.rule] = (cov.rules[res.outcome.rule] ?? 0) + 1;
    }
    r.steps.push({ ...step, expect: result });
    if (!res.broken) return;
    const hit = r.target === undefined ? res.allBroken[0] : res.allBroken.find((b) => b.property === r.target);
    if (hit) throw new ViolationFound(hit);
    m.dead = true; // another property broke: this run says nothing about the target
  }
  toString(): string {
    return `${this.intent.op}(${this.intent.n.join(',')})`;
  }
}

const nat = fc.nat({ max: 1 << 16 });
const commandArbs: fc.Arbitrary<fc.Command<Model, Run>>[] = [
  fc.oneof(
    ...GENERATED_OPS.map((op) => ({
      weight: OP_WEIGHTS[op] ?? 1,
      arbitrary: fc.tuple(nat, nat, nat, nat, nat).map((n): fc.Command<Model, Run> => new IntentCommand({ op, n })),
    })),
  ),
];

export interface CheckOptions {
  readonly sem: Semantics;
  readonly runs: number;
  readonly maxSteps: number;
  readonly seed: number;
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
  readonly msToFind: number;
}

export interface CheckResult {
  readonly variant: string;
  readonly seed: number;
  readonly runs: number;
  readonly steps: number;
  readonly stopped: 'done' | 'time' | 'interrupted' | 'violation';
  readonly counterexample?: Counterexample;
}

export function chunkSeed(seed: number, k: number): number {
  return (seed + Math.imul(k, 0x9e3779b1)) >>> 0;
}

export async function check(opts: CheckOptions): Promise<CheckResult> {
  const now = opts.now ?? (() => 0);
  const start = now();
  let runsDone = 0;
  const coverage = opts.coverage ?? emptyCoverage();
  const stepsBefore = coverage.steps;
  const prop = (cmds: Iterable<fc.Command<Model, Run>>) => {
    fc.modelRun(() => ({ model: { dead: false }, real: new Run(opts.sem, coverage, opts.target, opts.ignore) }), cmds);
  };
  for (let k = 0; runsDone < opts.runs; k++) {
    if (opts.shouldStop?.()) return result('interrupted');
    if (opts.timeMs !== undefined && now() - start > opts.timeMs) return result('time');
    const numRuns = Math.min(CHUNK, opts.runs - runsDone);
    let firstFailLength = 0;
    const details = fc.check(
      fc.property(fc.commands(commandArbs, { maxCommands: opts.maxSteps, size: 'max' }), (cmds) => {
        try {
          prop(cmds);
        } catch (e) {
          if (firstFailLength === 0) firstFailLength = [...cmds].length;
          throw e;
        }
      }),
      { seed: chunkSeed(opts.seed, k), numRuns },
    );
    if (details.failed && details.counterexample) {
      const err = details.errorInstance;
      const found = err instanceof ViolationFound ? err.failure : undefined;
      if (!found) throw err instanceof Error ? err : new Error('property failed without a violation');
      const intents = [...details.counterexample[0]] as unknown as IntentCommand[];
      const runsToFind = runsDone + details.numRuns;
      const cx = minimise(opts.sem, explicitSteps(opts.sem, intents, opts.target, opts.ignore), found.property, opts.ignore);
      runsDone = runsToFind;
      opts.onProgress?.(runsDone, coverage.steps - stepsBefore);
      return {
        ...result('violation'),
        counterexample: { ...cx, foundLength: firstFailLength, runsToFind, msToFind: now() - start },
      };
    }
    runsDone += numRuns;
    opts.onProgress?.(runsDone, coverage.steps - stepsBefore);
    await new Promise((r) => setImmediate(r));
  }
  return result('done');

  function result(stopped: CheckResult['stopped']): CheckResult {
    return { variant: opts.sem.name, seed: opts.seed, runs: runsDone, steps: coverage.steps - stepsBefore, stopped };
  }
}

/** The explicit steps the shrunk intents resolve to. */
function explicitSteps(sem: Semantics, intents: readonly IntentCommand[], target: string | undefined, ignore: Muted = []): ParsedStep[] {
  const run = new Run(sem, undefined, target, ignore);
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

/** Replay explicit steps; the first broken property, its step, and every result. */
export function replaySteps(sem: Semantics, steps: readonly ParsedStep[], muted: Muted = []): { broken: readonly PropertyFailure[]; at: number; results: string[] } {
  const world = initialState(sem);
  const results: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    const r = runChecked(sem, world, steps[i]!, muted);
    results.push(r.result);
    if (r.broken) return { broken: r.allBroken, at: i, results };
  }
  return { broken: [], at: -1, results };
}

/** Remove single steps while the same property still breaks, until no single removal keeps it broken. */
export function minimise(sem: Semantics, steps: readonly ParsedStep[], property: string, muted: Muted = []): Omit<Counterexample, 'foundLength' | 'runsToFind' | 'msToFind'> {
  let cur = [...steps];
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = cur.length - 1; i >= 0; i--) {
      const candidate = cur.slice(0, i).concat(cur.slice(i + 1));
      const r = replaySteps(sem, candidate, muted);
      if (r.broken.some((b) => b.property === property)) {
        cur = candidate.slice(0, r.at + 1);
        changed = true;
        break;
      }
    }
  }
  const final = replaySteps(sem, cur, muted);
  const failure = final.broken.find((b) => b.property === property);
  if (!failure) throw new Error('model bug: a minimised counterexample stopped failing');
  const withExpect: TraceStep[] = cur.map((s, i) => ({ ...s, expect: final.results[i]! }));
  const trace: Trace = {
    title: `${sem.name} breaks ${property}`,
    variant: sem.name,
    expect: { violates: property },
    steps: withExpect,
  };
  return { property, failure, trace, shrunkLength: cur.length };
}
