// What an invariant is: a named predicate over one state, with a one-sentence doc and the
// kernel source it encodes. A transition property judges a step from the state before, the
// step, its outcome and the state after. `check` has no side effects.

import type { ParsedStep } from '../spec/ops';
import type { Semantics } from '../spec/semantics';
import type { State, TableName } from '../spec/state';
import type { Change, Outcome } from '../spec/tx';

/** An object of the state, as `kind:id` (`ns:4`, `task:1`, `proxy:2`, `inode:0`, `file:3`, ...). */
export type ObjRef = string;

export interface Violation {
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  /** the objects involved, drawn in red in reports */
  readonly objects: readonly ObjRef[];
}

export interface Invariant {
  readonly name: string;
  readonly doc: string;
  readonly source: string;
  /**
   * the tables it reads (default: all): a step that wrote none of them cannot break it, so the
   * checker skips it then (test/properties.test.ts checks the lists on random traces)
   */
  readonly reads?: readonly TableName[];
  /** the first violation, or undefined when the invariant holds */
  check(state: State, sem: Semantics): Violation | undefined;
  /**
   * Every violation, for invariants a known finding may break in one place while it must hold
   * everywhere else (a finding mutes only the violations it matches).
   */
  violations?(state: State, sem: Semantics): Iterable<Violation>;
}

/** One step as a transition property sees it. */
export interface StepView {
  /** the state before the step (built from the journal when read) */
  readonly before: State;
  readonly after: State;
  readonly step: ParsedStep;
  readonly outcome: Outcome;
  readonly sem: Semantics;
  /** the rows the step wrote, each with the row it replaced (none after a plain failure) */
  readonly changes: readonly Change[];
}

export interface Transition {
  readonly name: string;
  readonly doc: string;
  readonly source: string;
  check(v: StepView): Violation | undefined;
}
