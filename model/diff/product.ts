// Bounded-exhaustive diff: breadth-first over pairs of states, the same action applied to both
// sides. A pair is identified by the named canonical fingerprints of its two states (names kept,
// so both sides are renamed alike; see model/search/canon.ts). A step whose observable results
// differ (or, with compareState, after which what processes can observe differs) is a witness;
// its pair is not expanded further, so every witness agrees with the other variant on every step
// but its last. Every pair reachable in at most K steps is expanded, so the classes found are
// every class of a first difference within K steps in the scope.

import { initialState, type Start } from '../../spec/initial';
import { execStep, resultText, type ParsedStep, type StepExec } from '../../spec/ops';
import type { Semantics } from '../../spec/semantics';
import type { World } from '../../spec/state';
import { releaseDying } from '../../spec/world';
import { errorText, MODEL_ERROR } from '../run';
import { enumerateActions } from '../search/actions';
import { Canonicalizer } from '../search/canon';
import { FingerprintSet } from '../search/fpset';
import type { Scope } from '../search/scope';
import type { DiffClass, Side } from './classes';
import { observable, stepDifference } from './observe';

export interface DiffOptions {
  readonly a: Semantics;
  readonly b: Semantics;
  readonly scope: Scope;
  readonly depth: number;
  /** stop once this many classes are known */
  readonly maxClasses?: number;
  readonly compareState?: boolean;
  readonly start?: Start;
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: { depth: number; pairs: number; classes: number; elapsedMs: number }) => void;
  readonly now?: () => number;
}

export interface DiffResult {
  readonly depth: number;
  /** the deepest level explored completely */
  readonly depthDone: number;
  readonly stopped: 'done' | 'max-classes' | 'interrupted';
  /** distinct pairs of states */
  readonly pairs: number;
  /** pairs of steps run (transitions) */
  readonly generated: number;
  readonly classes: DiffClass[];
  readonly ms: number;
}

/** One step on one side: its observable result, raw text and rule, or a thrown exception. */
function runSide(sem: Semantics, world: World, step: ParsedStep): { exec?: StepExec; side: Side } {
  try {
    const exec = execStep(sem, world, step);
    const raw = resultText(exec.outcome);
    return { exec, side: { result: observable(world, raw), raw, rule: exec.outcome.ok ? 'ok' : exec.outcome.rule } };
  } catch (e) {
    world.dying.length = 0;
    return { side: { result: MODEL_ERROR, raw: MODEL_ERROR, rule: `threw: ${errorText(e).slice(0, 80)}` } };
  }
}

function undo(world: World, exec: StepExec | undefined): void {
  if (exec) exec.tx.rollback();
  world.dying.length = 0;
}

export interface PairContext {
  readonly a: Semantics;
  readonly b: Semantics;
  readonly scope: Scope;
  readonly start?: Start;
}

/** Both states of a path (action indices into the first side's actions, observers included). */
export function rebuildPair(ctx: PairContext, path: readonly number[]): { wa: World; wb: World; steps: ParsedStep[]; resultsA: string[]; resultsB: string[] } {
  const wa = initialState(ctx.a, ctx.start);
  const wb = initialState(ctx.b, ctx.start);
  const steps: ParsedStep[] = [];
  const resultsA: string[] = [];
  const resultsB: string[] = [];
  for (const i of path) {
    releaseDying(wa);
    releaseDying(wb);
    const step = enumerateActions(wa, ctx.scope)[i];
    if (!step) throw new Error(`model bug: diff path names action ${i}`);
    steps.push(step);
    resultsA.push(runSide(ctx.a, wa, step).side.raw);
    resultsB.push(runSide(ctx.b, wb, step).side.raw);
  }
  releaseDying(wa);
  releaseDying(wb);
  return { wa, wb, steps, resultsA, resultsB };
}

export async function diffExhaustive(opts: DiffOptions): Promise<DiffResult> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const ctx: PairContext = { a: opts.a, b: opts.b, scope: opts.scope, ...(opts.start ? { start: opts.start } : {}) };
  const canon = new Canonicalizer({ named: true });
  const seen = new FingerprintSet(1 << 14);
  const fa = new Uint32Array(2), fb = new Uint32Array(2);
  const pairKey = (wa: World, wb: World): [number, number] => {
    canon.fingerprint(wa, fa);
    canon.fingerprint(wb, fb);
    // two 64-bit fingerprints folded into one, in order (A, B)
    let h1 = Math.imul(fa[0]! ^ 0x9e3779b9, 0x85ebca6b) ^ fb[1]!;
    let h2 = Math.imul(fa[1]! ^ 0x7f4a7c15, 0xc2b2ae35) ^ fb[0]!;
    h1 = Math.imul(h1 ^ (h1 >>> 15), 0x2c1b3c6d) ^ fb[0]!;
    h2 = Math.imul(h2 ^ (h2 >>> 13), 0x297a2d39) ^ fb[1]!;
    return [h1 >>> 0, h2 >>> 0];
  };
  const classes = new Map<string, DiffClass>();
  let frontier: number[][] = [[]];
  {
    const { wa, wb } = rebuildPair(ctx, []);
    const [h, l] = pairKey(wa, wb);
    seen.add(h, l);
  }
  let generated = 0;
  let depthDone = 0;
  let stopped: DiffResult['stopped'] = 'done';
  const full = () => opts.maxClasses !== undefined && classes.size >= opts.maxClasses;
  for (let d = 0; d < opts.depth && frontier.length > 0 && !full(); d++) {
    const next: number[][] = [];
    for (let k = 0; k < frontier.length; k++) {
      if (opts.shouldStop?.()) {
        stopped = 'interrupted';
        break;
      }
      const path = frontier[k]!;
      const { wa, wb, steps, resultsA, resultsB } = rebuildPair(ctx, path);
      const actions = enumerateActions(wa, opts.scope);
      for (let i = 0; i < actions.length; i++) {
        const step = actions[i]!;
        generated++;
        const ra = runSide(opts.a, wa, step);
        const rb = runSide(opts.b, wb, step);
        const diff = stepDifference(step.op.name, ra.side, rb.side, wa, wb, opts.compareState === true);
        if (diff) {
          const { key, resultA, resultB, stateOnly } = diff;
          const known = classes.get(key);
          if (known) known.count++;
          else if (!full()) {
            classes.set(key, {
              key, op: step.op.name, ruleA: ra.side.rule, ruleB: rb.side.rule, resultA, resultB, count: 1,
              witness: { steps: [...steps, step], resultsA: [...resultsA, ra.side.raw], resultsB: [...resultsB, rb.side.raw], a: ra.side, b: rb.side, ...(stateOnly ? { stateOnly } : {}) },
            });
          }
        } else if (d + 1 < opts.depth) {
          const [h, l] = pairKey(wa, wb);
          if (seen.add(h, l)) next.push([...path, i]);
        }
        undo(wa, ra.exec);
        undo(wb, rb.exec);
      }
      opts.onProgress?.({ depth: d, pairs: seen.count, classes: classes.size, elapsedMs: now() - t0 });
    }
    if (stopped === 'interrupted') break;
    depthDone = d + 1;
    frontier = next;
    await new Promise((r) => setImmediate(r));
  }
  if (stopped === 'done' && full()) stopped = 'max-classes';
  const list = [...classes.values()].sort((x, y) => x.witness.steps.length - y.witness.steps.length || (x.key < y.key ? -1 : 1));
  return { depth: opts.depth, depthDone, stopped, pairs: seen.count, generated, classes: list, ms: now() - t0 };
}
