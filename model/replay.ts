// Replaying a trace: run every step under the trace's semantics, compare each result with the
// step's `expect` and the property verdict with the trace's `expect`.

import { initialState } from '../spec/initial';
import { describeStep } from '../spec/ops';
import { withLimits, type Semantics } from '../spec/semantics';
import type { State } from '../spec/state';
import { snapshot } from '../spec/world';
import { runChecked, type PropertyFailure } from './run';
import type { Trace, Verdict } from './trace';

export interface ReplayedStep {
  readonly index: number;
  readonly task: string;
  /** the call with its fd variables resolved, e.g. `A: setns(fd=p → pid:[4026532201], CLONE_NEWPID)` */
  readonly call: string;
  readonly result: string;
  /** the rule that refused the call */
  readonly rule?: string;
  readonly expect?: string;
  readonly matches: boolean;
}

export interface ReplayResult {
  readonly variant: string;
  readonly steps: readonly ReplayedStep[];
  /**
   * states[0] is the initial state, states[i + 1] the state after step i: only those the replay
   * was asked to keep (the rest are holes), so a long trace is replayed in constant memory.
   */
  readonly states: readonly (State | undefined)[];
  /** the first broken property and the step after which it broke */
  readonly broken?: PropertyFailure & { readonly step: number };
  readonly verdict: Verdict;
  readonly verdictMatches: boolean;
  readonly ok: boolean;
}

export function verdictText(v: Verdict): string {
  return v === 'holds' ? 'holds' : `violates ${v.violates}`;
}

export interface ReplayOptions {
  /**
   * Keep the states from this index on (states[0] is the initial state); the rest are holes.
   * Default 0 (every state). The replay command keeps none unless it writes a report, so a long
   * trace replays in memory that does not grow with its length.
   */
  readonly keepFrom?: number;
}

/** Replay a trace; replay stops at the first broken property (later states are meaningless). */
export function replay(trace: Trace, variantSem: Semantics, opts: ReplayOptions = {}): ReplayResult {
  const keepFrom = opts.keepFrom ?? 0;
  // a trace found under small-scope constants replays under them
  const sem = withLimits(variantSem, trace.limits);
  const world = initialState(sem, trace.start);
  const states: (State | undefined)[] = [keepFrom <= 0 ? snapshot(world) : undefined];
  const steps: ReplayedStep[] = [];
  let broken: (PropertyFailure & { step: number }) | undefined;
  for (let i = 0; i < trace.steps.length; i++) {
    const step = trace.steps[i]!;
    const call = describeStep(world, step);
    const r = runChecked(sem, world, step);
    const result = r.result;
    const entry: { -readonly [K in keyof ReplayedStep]: ReplayedStep[K] } = {
      index: i, task: step.task, call, result, matches: step.expect === undefined || step.expect === result,
    };
    if (r.outcome && !r.outcome.ok) entry.rule = r.outcome.rule;
    if (step.expect !== undefined) entry.expect = step.expect;
    steps.push(entry);
    states.push(i + 1 >= keepFrom ? snapshot(world) : undefined);
    if (r.broken) {
      broken = { ...r.broken, step: i };
      break;
    }
  }
  const verdict: Verdict = broken ? { violates: broken.property } : 'holds';
  const expected = trace.expect ?? 'holds';
  const verdictMatches = verdictText(expected) === verdictText(verdict);
  const base = { variant: sem.name, steps, states, verdict, verdictMatches, ok: verdictMatches && steps.every((s) => s.matches) };
  return broken ? { ...base, broken } : base;
}

/** `= -1 EINVAL  [pidns.notDescendant]`, `= ok`, `= pid=1` */
export function resultSuffix(s: ReplayedStep): string {
  return s.rule ? `= -1 ${s.result}  [${s.rule}]` : `= ${s.result}`;
}
