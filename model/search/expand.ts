// Expanding states of the breadth-first search: a state is rebuilt by replaying its path (the
// action indices from the initial state), every action the scope allows is applied in turn, the
// successor's canonical fingerprint taken, and the step undone from its journal. A successor not
// seen at an earlier depth is a candidate for the next level; its invariants are checked then
// (once per state, as TLC does), and the transition properties on every edge, failing calls
// included. The main thread and the worker threads run this same code.

import { initialState, type Start } from '../../spec/initial';
import { execStep, type ParsedStep, type StepExec } from '../../spec/ops';
import type { Semantics } from '../../spec/semantics';
import type { World } from '../../spec/state';
import type { KnownFinding } from '../../spec/variants/define';
import { releaseDying } from '../../spec/world';
import { changedState, checkEdge, checkState, modelError, type PropertyFailure } from '../run';
import { enumerateActions } from './actions';
import { Canonicalizer } from './canon';
import { FingerprintSet } from './fpset';
import type { Scope } from './scope';

export interface ExpandContext {
  readonly sem: Semantics;
  readonly scope: Scope;
  readonly canon: Canonicalizer;
  readonly mutes: readonly KnownFinding[];
  readonly start?: Start;
  /** also enumerate the ops that only observe (diff needs them; checking invariants does not) */
  readonly observers: boolean;
}

/** A violation found while expanding: on the edge `action` of state `parent`. */
export interface FoundViolation {
  readonly parent: number;
  readonly action: number;
  readonly failure: PropertyFailure;
}

export interface ExpandResult {
  /** per candidate: fingerprint high, low, parent index, action index */
  readonly candidates: Uint32Array;
  readonly count: number;
  readonly violations: FoundViolation[];
  /** transitions generated (edges), and how many changed the state */
  readonly generated: number;
  /** rules that refused a call, with how often */
  readonly rules: Map<string, number>;
}

/** Rebuild a state by replaying its path. */
export function rebuild(ctx: ExpandContext, path: ArrayLike<number>): World {
  const world = initialState(ctx.sem, ctx.start);
  for (let i = 0; i < path.length; i++) {
    releaseDying(world);
    const actions = enumerateActions(world, ctx.scope, !ctx.observers);
    const step = actions[path[i]!];
    if (!step) throw new Error(`model bug: path step ${i} names action ${path[i]} of ${actions.length}`);
    execStep(ctx.sem, world, step);
  }
  releaseDying(world);
  return world;
}

/** Undo a step whose journal is `exec.tx` (the world had no dying rows before it). */
function undo(world: World, exec: StepExec): void {
  exec.tx.rollback();
  world.dying.length = 0;
}

/**
 * Expand the states whose paths are given (states `first`, `first + 1`, ... of the level), in
 * order. `seen` is every fingerprint of the earlier levels (read only).
 */
export function expandStates(ctx: ExpandContext, paths: readonly ArrayLike<number>[], first: number, seen: FingerprintSet, shouldStop?: () => boolean): ExpandResult {
  let cand = new Uint32Array(4 * 1024);
  let count = 0;
  const violations: FoundViolation[] = [];
  const rules = new Map<string, number>();
  let generated = 0;
  const fp = new Uint32Array(2);
  // successors already found in this slice: a duplicate is neither checked nor sent again
  const local = new FingerprintSet(1 << 12);
  for (let k = 0; k < paths.length; k++) {
    if (shouldStop?.()) break;
    const parent = first + k;
    const world = rebuild(ctx, paths[k]!);
    const actions: ParsedStep[] = enumerateActions(world, ctx.scope, !ctx.observers);
    for (let a = 0; a < actions.length; a++) {
      const step = actions[a]!;
      generated++;
      let exec: StepExec;
      try {
        exec = execStep(ctx.sem, world, step);
      } catch (e) {
        violations.push({ parent, action: a, failure: modelError(step, e) });
        world.dying.length = 0;
        continue;
      }
      if (!exec.outcome.ok) rules.set(exec.outcome.rule, (rules.get(exec.outcome.rule) ?? 0) + 1);
      const edge = checkEdge(ctx.sem, world, step, exec, ctx.mutes);
      if (edge) for (const f of edge) violations.push({ parent, action: a, failure: f });
      if (changedState(exec)) {
        ctx.canon.fingerprint(world, fp);
        const hi = fp[0]!, lo = fp[1]!;
        if (!seen.has(hi, lo) && local.add(hi, lo)) {
          if (count * 4 + 4 > cand.length) {
            const b = new Uint32Array(cand.length * 2);
            b.set(cand);
            cand = b;
          }
          cand[count * 4] = hi;
          cand[count * 4 + 1] = lo;
          cand[count * 4 + 2] = parent;
          cand[count * 4 + 3] = a;
          count++;
          const broken = checkState(ctx.sem, world, ctx.mutes, exec.tx.touched);
          if (broken) for (const f of broken) violations.push({ parent, action: a, failure: f });
        }
        undo(world, exec);
      } else {
        world.dying.length = 0;
      }
    }
  }
  return { candidates: cand, count, violations, generated, rules };
}

export function makeContext(sem: Semantics, scope: Scope, mutes: readonly KnownFinding[], opts: { symmetry?: boolean; observers?: boolean; start?: Start } = {}): ExpandContext {
  return {
    sem, scope, mutes, canon: new Canonicalizer({ symmetry: opts.symmetry ?? true }),
    observers: opts.observers ?? false, ...(opts.start ? { start: opts.start } : {}),
  };
}
