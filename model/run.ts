// Running steps with every invariant and transition property checked after each one. The
// replay command, the checker and the reports all step through here.

import { INVARIANTS, TRANSITIONS, type Violation } from '../properties';
import { runStep, type ParsedStep } from '../spec/ops';
import type { Failure, Semantics } from '../spec/semantics';
import type { State } from '../spec/state';
import type { Outcome } from '../spec/tx';

export interface PropertyFailure {
  readonly property: string;
  readonly violation: Violation;
}

export interface StepResult {
  readonly outcome: Outcome;
  readonly after: State;
  /** the first broken property, in registry order */
  readonly broken?: PropertyFailure;
  /** every property broken by this step */
  readonly allBroken: readonly PropertyFailure[];
}

/** The state after an outcome: the new state, the partial state of a failed compound call, or the old one. */
export function stateAfter(before: State, o: Outcome): State {
  return o.ok ? o.state : (((o as Failure).partial as State | undefined) ?? before);
}

const NONE: readonly PropertyFailure[] = [];

/** Check every property for one step: state invariants, then transition properties. */
export function checkStep(sem: Semantics, before: State, step: ParsedStep, outcome: Outcome, after: State): readonly PropertyFailure[] {
  let out: PropertyFailure[] | undefined;
  // an unchanged state was checked when it was made
  if (after !== before) {
    for (const inv of INVARIANTS) {
      const v = inv.check(after, sem);
      if (v) (out ??= []).push({ property: inv.name, violation: v });
    }
  }
  for (const t of TRANSITIONS) {
    const v = t.check(before, step, outcome, after, sem);
    if (v) (out ??= []).push({ property: t.name, violation: v });
  }
  return out ?? NONE;
}

export function runChecked(sem: Semantics, before: State, step: ParsedStep): StepResult {
  const outcome = runStep(sem, before, step);
  const after = stateAfter(before, outcome);
  const allBroken = checkStep(sem, before, step, outcome, after);
  const first = allBroken[0];
  return first ? { outcome, after, broken: first, allBroken } : { outcome, after, allBroken };
}
