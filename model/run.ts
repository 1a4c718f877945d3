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
  readonly broken?: PropertyFailure;
}

/** The state after an outcome: the new state, the partial state of a failed compound call, or the old one. */
export function stateAfter(before: State, o: Outcome): State {
  return o.ok ? o.state : (((o as Failure).partial as State | undefined) ?? before);
}

/** Check every property for one step; the first broken one, in registry order. */
export function checkStep(sem: Semantics, before: State, step: ParsedStep, outcome: Outcome, after: State): PropertyFailure | undefined {
  for (const t of TRANSITIONS) {
    const v = t.check(before, step, outcome, after, sem);
    if (v) return { property: t.name, violation: v };
  }
  if (after === before) return undefined; // an unchanged state was checked when it was made
  for (const inv of INVARIANTS) {
    const v = inv.check(after, sem);
    if (v) return { property: inv.name, violation: v };
  }
  return undefined;
}

export function runChecked(sem: Semantics, before: State, step: ParsedStep): StepResult {
  const outcome = runStep(sem, before, step);
  const after = stateAfter(before, outcome);
  const broken = checkStep(sem, before, step, outcome, after);
  return broken ? { outcome, after, broken } : { outcome, after };
}
