// Random diff, for depths beyond exhaustive reach: random traces drawn from the scope (as random
// search draws them) run on both variants; the first step where they differ is a witness, shrunk
// to a 1-minimal trace whose last step still differs in the same class (removing any one step
// loses it).

import { initialState, type Start } from '../../spec/initial';
import { execStep, resultText, type ParsedStep } from '../../spec/ops';
import type { Semantics } from '../../spec/semantics';
import type { World } from '../../spec/state';
import { errorText, MODEL_ERROR } from '../run';
import { resolveIntent, swarmOf, xorshift, type Memo } from '../search/generate';
import type { Scope } from '../search/scope';
import { chunkSeed } from '../search/random';
import type { DiffClass, Side } from './classes';
import { observable, stepDifference } from './observe';

export interface RandomDiffOptions {
  readonly a: Semantics;
  readonly b: Semantics;
  readonly scope: Scope;
  readonly runs: number;
  readonly maxSteps: number;
  readonly seed: number;
  readonly maxClasses?: number;
  readonly compareState?: boolean;
  readonly start?: Start;
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (runs: number, classes: number) => void;
}

export interface RandomDiffResult {
  readonly runs: number;
  readonly steps: number;
  readonly stopped: 'done' | 'max-classes' | 'interrupted';
  readonly classes: DiffClass[];
}

function side(sem: Semantics, w: World, step: ParsedStep): Side {
  try {
    const o = execStep(sem, w, step).outcome;
    const raw = resultText(o);
    return { result: observable(w, raw), raw, rule: o.ok ? 'ok' : o.rule };
  } catch (e) {
    w.dying.length = 0;
    return { result: MODEL_ERROR, raw: MODEL_ERROR, rule: `threw: ${errorText(e).slice(0, 80)}` };
  }
}

/** Run steps on both sides; the first difference (its class key and witness), if any. */
export function firstDifference(opts: Pick<RandomDiffOptions, 'a' | 'b' | 'compareState' | 'start'>, steps: readonly ParsedStep[]): { key: string; cls: Omit<DiffClass, 'count'> } | undefined {
  const wa = initialState(opts.a, opts.start);
  const wb = initialState(opts.b, opts.start);
  const ra: string[] = [], rb: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const sa = side(opts.a, wa, step);
    const sb = side(opts.b, wb, step);
    ra.push(sa.raw);
    rb.push(sb.raw);
    const diff = stepDifference(step.op.name, sa, sb, wa, wb, opts.compareState === true);
    if (diff) {
      const { key, resultA, resultB, stateOnly } = diff;
      return { key, cls: { key, op: step.op.name, ruleA: sa.rule, ruleB: sb.rule, resultA, resultB, witness: { steps: steps.slice(0, i + 1), resultsA: ra, resultsB: rb, a: sa, b: sb, ...(stateOnly ? { stateOnly } : {}) } } };
    }
  }
  return undefined;
}

/** Remove steps while the first difference stays in the same class, until no single removal keeps it. */
export function shrinkDifference(opts: Pick<RandomDiffOptions, 'a' | 'b' | 'compareState' | 'start'>, steps: readonly ParsedStep[], key: string): Omit<DiffClass, 'count'> {
  let cur = [...steps];
  let best = firstDifference(opts, cur)!;
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = cur.length - 1; i >= 0; i--) {
      const cand = cur.slice(0, i).concat(cur.slice(i + 1));
      const d = firstDifference(opts, cand);
      if (d && d.key === key) {
        cur = [...d.cls.witness.steps];
        best = d;
        changed = true;
        break;
      }
    }
  }
  return best.cls;
}

export async function diffRandom(opts: RandomDiffOptions): Promise<RandomDiffResult> {
  const classes = new Map<string, DiffClass>();
  let steps = 0;
  let runs = 0;
  let stopped: RandomDiffResult['stopped'] = 'done';
  for (; runs < opts.runs; runs++) {
    if (opts.maxClasses !== undefined && classes.size >= opts.maxClasses) {
      stopped = 'max-classes';
      break;
    }
    if (runs % 50 === 0) {
      if (opts.shouldStop?.()) {
        stopped = 'interrupted';
        break;
      }
      opts.onProgress?.(runs, classes.size);
      await new Promise((r) => setImmediate(r));
    }
    const next = xorshift(chunkSeed(opts.seed, runs));
    const sw = swarmOf(opts.scope, next());
    const len = 1 + (next() % opts.maxSteps);
    const wa = initialState(opts.a, opts.start);
    const memo: Memo = {};
    const trace: ParsedStep[] = [];
    // draw on side A; a difference shows when both sides run the trace
    for (let i = 0; i < len; i++) {
      const st = resolveIntent(wa, sw, { n: [next() & 0xffff, next() & 0xffff, next() & 0xffff] }, memo);
      if (!st) break;
      side(opts.a, wa, st);
      trace.push(st);
    }
    steps += trace.length;
    const d = firstDifference(opts, trace);
    if (!d) continue;
    const known = classes.get(d.key);
    if (known) {
      known.count++;
      continue;
    }
    const shrunk = shrinkDifference(opts, d.cls.witness.steps, d.key);
    classes.set(d.key, { ...shrunk, count: 1 });
  }
  const list = [...classes.values()].sort((x, y) => x.witness.steps.length - y.witness.steps.length || (x.key < y.key ? -1 : 1));
  return { runs, steps, stopped, classes: list };
}
